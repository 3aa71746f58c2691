#!/bin/sh
# Installs Chargeyard as a service on Debian 12/13 or Ubuntu 22.04/24.04:
#
#   sudo ./install.sh              install (rerunning it is safe: it repairs, never overwrites config)
#   sudo ./install.sh --upgrade    back up the database, install this version, roll back if it fails
#   sudo ./install.sh --uninstall  remove the service and the app; the data stays (--purge removes it)
#
# Options for tests and unusual boxes:
#   --prefix DIR     install under DIR (DIR/opt/chargeyard, DIR/bin, DIR/var/lib/chargeyard, DIR/etc)
#   --no-systemd     do not install or run the systemd unit; the app is started once to check it
#
# The first install writes /etc/chargeyard/env from the CSMS_* variables given to this script
# (for example CSMS_PORT=80), with defaults for the rest. Needs only the npm registry online.
set -eu

SERVICE=chargeyard
SERVICE_USER=chargeyard
HEALTH_WAIT_S=60

SOURCE_DIR=$(cd "$(dirname "$0")" && pwd)
ACTION=install
PREFIX=
USE_SYSTEMD=yes
PURGE=no

say() { printf '%s\n' "chargeyard install: $*"; }
die() {
	printf '%s\n' "chargeyard install: error: $*" >&2
	exit 1
}

usage() {
	sed -n '2,13s/^# \{0,1\}//p' "$0"
	exit "$1"
}

while [ $# -gt 0 ]; do
	case $1 in
	--upgrade) ACTION=upgrade ;;
	--uninstall) ACTION=uninstall ;;
	--purge) PURGE=yes ;;
	--no-systemd) USE_SYSTEMD=no ;;
	--prefix)
		[ $# -ge 2 ] || die "--prefix needs a directory"
		PREFIX=$2
		shift
		;;
	--prefix=*) PREFIX=${1#--prefix=} ;;
	-h | --help) usage 0 ;;
	*)
		printf '%s\n\n' "chargeyard install: unknown option $1" >&2
		usage 2
		;;
	esac
	shift
done
[ "$PURGE" = no ] || [ "$ACTION" = uninstall ] || die "--purge goes with --uninstall"

if [ -n "$PREFIX" ]; then
	mkdir -p "$PREFIX"
	PREFIX=$(cd "$PREFIX" && pwd)
	APP_DIR=$PREFIX/opt/chargeyard
	BIN_DIR=$PREFIX/bin
	DATA_DIR=$PREFIX/var/lib/chargeyard
	CONF_DIR=$PREFIX/etc/chargeyard
	UNIT_DIR=$PREFIX/etc/systemd/system
else
	APP_DIR=/opt/chargeyard
	BIN_DIR=/usr/local/bin
	DATA_DIR=/var/lib/chargeyard
	CONF_DIR=/etc/chargeyard
	UNIT_DIR=/etc/systemd/system
fi
ENV_FILE=$CONF_DIR/env
ADMIN_PASSWORD_FILE=$CONF_DIR/admin-password
GENERATED_ADMIN_PASSWORD=
UNIT_FILE=$UNIT_DIR/$SERVICE.service
CURRENT=$APP_DIR/current

IS_ROOT=no
[ "$(id -u)" -eq 0 ] && IS_ROOT=yes
# A real install creates the service user and hands it the data; a --prefix install belongs to
# whoever runs it (tests, a developer trying it out).
MANAGE_USER=no
[ "$IS_ROOT" = yes ] && [ -z "$PREFIX" ] && MANAGE_USER=yes
[ "$IS_ROOT" = yes ] || [ -n "$PREFIX" ] || die "run it as root: sudo $0 $*"

if [ "$USE_SYSTEMD" = yes ] && [ "$ACTION" != uninstall ]; then
	[ -d /run/systemd/system ] || die "systemd is not running on this machine; use --no-systemd (and start Chargeyard yourself)"
fi

# ---- Node.js ---------------------------------------------------------------------------------

node_hint() {
	cat >&2 <<'EOF'
Chargeyard needs Node.js 20 or 22 with npm. Install it, then run this script again:
  Debian 13:                 sudo apt-get install -y nodejs npm
  Debian 12, Ubuntu 22/24:   curl -fsSL https://deb.nodesource.com/setup_20.x | sudo bash - && sudo apt-get install -y nodejs
EOF
}

check_node() {
	NODE=$(command -v node || true)
	if [ -z "$NODE" ]; then
		node_hint
		die "node was not found on the PATH"
	fi
	# The unit names the program itself, not a link on this shell's PATH (a version manager's
	# shim, a link farm) that may be gone or point elsewhere when systemd starts the service.
	NODE=$(readlink -f "$NODE")
	NODE_MAJOR=$("$NODE" -p 'process.versions.node.split(".")[0]')
	if [ "$NODE_MAJOR" -lt 20 ] || [ "$NODE_MAJOR" -gt 22 ]; then
		node_hint
		die "found Node.js $("$NODE" -v) at $NODE"
	fi
	command -v npm >/dev/null 2>&1 || {
		node_hint
		die "npm was not found on the PATH"
	}
	case $NODE in
	/home/* | /root/*)
		# nvm and similar put node in a home directory, which the service may not read.
		[ "$USE_SYSTEMD" = no ] || die "node at $NODE is inside a home directory; install Node.js system-wide"
		;;
	esac
}

# ---- the release being installed ------------------------------------------------------------

SOURCE_ITEMS="package.json package-lock.json tsconfig.json tsconfig.build.json README.md src migrations views bin systemd"

# Identifies what this checkout would install: version plus a hash of its files, so rerunning the
# same checkout is recognised and does nothing.
release_id() {
	version=$(cd "$SOURCE_DIR" && "$NODE" -p 'require("./package.json").version')
	hash=$(
		cd "$SOURCE_DIR"
		for item in $SOURCE_ITEMS; do [ -e "$item" ] && printf '%s\n' "$item"; done |
			xargs find | LC_ALL=C sort | while IFS= read -r file; do
			[ -f "$file" ] && printf '%s  %s\n' "$(sha256sum <"$file" | cut -c1-64)" "$file"
		done | sha256sum | cut -c1-12
	)
	printf '%s-%s\n' "$version" "$hash"
}

current_release() {
	if [ -L "$CURRENT" ]; then basename "$(readlink "$CURRENT")"; fi
}

copy_sources() {
	mkdir -p "$2"
	(
		cd "$1"
		for item in $SOURCE_ITEMS; do [ -e "$item" ] && printf '%s\n' "$item"; done | xargs tar -cf - --exclude='*.test.ts'
	) | (cd "$2" && tar -xf -)
}

# Compiles TypeScript into $1/dist. A checkout that already ran `npm install` has the compiler;
# otherwise the full dependency set is fetched into a scratch copy for the build only.
compile() {
	if [ -f "$SOURCE_DIR/node_modules/typescript/bin/tsc" ] && [ -d "$SOURCE_DIR/node_modules/@types/node" ]; then
		(cd "$SOURCE_DIR" && "$NODE" node_modules/typescript/bin/tsc -p tsconfig.build.json --outDir "$1/dist")
	else
		scratch=$1.build
		rm -rf "$scratch"
		copy_sources "$SOURCE_DIR" "$scratch"
		(cd "$scratch" && npm ci --ignore-scripts --no-audit --no-fund --prefer-offline && "$NODE" node_modules/typescript/bin/tsc -p tsconfig.build.json)
		mv "$scratch/dist" "$1/dist"
		rm -rf "$scratch"
	fi
}

have_build_tools() {
	command -v make >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1
}

sqlite_loads() {
	(cd "$1" && "$NODE" -e 'new (require("better-sqlite3"))(":memory:").close()') >/dev/null 2>&1
}

# better-sqlite3 is the one native module. Reuse the checkout's compiled copy when it is the same
# version for this same Node; otherwise try a prebuilt binary, and only then compile it, which
# needs build tools (installed here only in that case) and Node's headers.
native_module() {
	stage=$1
	target=$stage/node_modules/better-sqlite3
	checkout=$SOURCE_DIR/node_modules/better-sqlite3
	if [ -f "$checkout/build/Release/better_sqlite3.node" ] &&
		[ "$("$NODE" -p "require('$checkout/package.json').version")" = "$("$NODE" -p "require('$target/package.json').version")" ]; then
		mkdir -p "$target/build/Release"
		cp "$checkout/build/Release/better_sqlite3.node" "$target/build/Release/"
		sqlite_loads "$stage" && return 0
		rm -rf "$target/build"
	fi
	if ! (cd "$target" && "$NODE" ../prebuild-install/bin.js) >/dev/null 2>&1 || ! sqlite_loads "$stage"; then
		say "no prebuilt SQLite module could be used; compiling it"
		if ! have_build_tools; then
			if [ "$IS_ROOT" = no ] || ! command -v apt-get >/dev/null 2>&1; then
				die "compiling needs make, g++ and python3; install them and rerun"
			fi
			say "installing build tools (make, g++, python3)"
			DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends make g++ python3 >/dev/null
		fi
		headers=$(dirname "$(dirname "$NODE")")/include/node
		if [ -f "$headers/node.h" ]; then
			npm_config_nodedir=$(dirname "$(dirname "$NODE")")
			export npm_config_nodedir
		fi
		(cd "$stage" && npm rebuild better-sqlite3 --build-from-source --no-audit --no-fund)
	fi
	sqlite_loads "$stage" || die "the SQLite module does not load in $stage"
}

# Builds the release into $APP_DIR/releases/$1 (a staging folder first, so a failed build leaves
# nothing half-installed).
build_release() {
	release=$APP_DIR/releases/$1
	stage=$APP_DIR/releases/.staging-$$
	rm -rf "$stage"
	say "building $1 in $stage"
	copy_sources "$SOURCE_DIR" "$stage"
	(cd "$stage" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline) || die "npm ci failed"
	compile "$stage" || die "compiling failed"
	native_module "$stage"
	rm -rf "$release"
	mv "$stage" "$release"
	chmod -R a+rX,go-w "$release"
}

switch_to() {
	ln -sfn "releases/$1" "$APP_DIR/current.new"
	mv -T "$APP_DIR/current.new" "$CURRENT"
}

# Keeps the current release and the one before it (for a manual rollback); removes the rest.
prune_releases() {
	keep=$(current_release)
	for dir in "$APP_DIR"/releases/*; do
		[ -d "$dir" ] || continue
		name=$(basename "$dir")
		[ "$name" = "$keep" ] || [ "$name" = "$1" ] || rm -rf "$dir"
	done
}

# ---- configuration, user, wrapper, unit ------------------------------------------------------

ensure_user() {
	[ "$MANAGE_USER" = yes ] || return 0
	if ! id "$SERVICE_USER" >/dev/null 2>&1; then
		say "creating system user $SERVICE_USER"
		useradd --system --user-group --home-dir "$DATA_DIR" --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
	fi
}

# The data folder belongs to the service user, who may have put anything in it: a link there is
# refused, never followed (chown and chmod would follow it to a file of root's).
ensure_dirs() {
	for dir in "$DATA_DIR" "$DATA_DIR/backups"; do
		[ ! -L "$dir" ] || die "$dir is a symbolic link; refusing to follow it (remove it if it is not yours)"
	done
	mkdir -p "$APP_DIR/releases" "$BIN_DIR" "$CONF_DIR" "$DATA_DIR/backups"
	if [ "$MANAGE_USER" = yes ]; then
		chown -h "$SERVICE_USER:$SERVICE_USER" "$DATA_DIR" "$DATA_DIR/backups"
		chmod 0700 "$DATA_DIR" "$DATA_DIR/backups"
	fi
}

env_line() {
	# $1 variable, $2 default (empty: written commented out unless given to the installer)
	eval "given=\${$1-}"
	if [ -n "$given" ]; then
		printf '%s=%s\n' "$1" "$given"
	elif [ -n "$2" ]; then
		printf '%s=%s\n' "$1" "$2"
	else
		printf '# %s=\n' "$1"
	fi
}

# Written once; an existing file is the site's configuration and is never touched.
ensure_env_file() {
	if [ -f "$ENV_FILE" ]; then
		say "keeping existing $ENV_FILE"
		return 0
	fi
	say "writing $ENV_FILE"
	umask 027
	{
		printf '%s\n' "# Chargeyard configuration: CSMS_* variables (see README.md). install.sh wrote this"
		printf '%s\n' "# file once and never overwrites it. After a change: systemctl restart chargeyard"
		env_line CSMS_PORT 8080
		env_line CSMS_HOST 0.0.0.0
		printf 'CSMS_DATA_DIR=%s\n' "$DATA_DIR"
		env_line CSMS_LOG_LEVEL info
		env_line CSMS_API_TOKEN ''
		env_line CSMS_ADMIN_PASSWORD ''
		env_line CSMS_TLS_CERT ''
		env_line CSMS_TLS_KEY ''
		env_line CSMS_BACKUP_COPY_DIR ''
	} >"$ENV_FILE.tmp"
	chmod 0640 "$ENV_FILE.tmp"
	[ "$MANAGE_USER" = no ] || chown "root:$SERVICE_USER" "$ENV_FILE.tmp"
	mv "$ENV_FILE.tmp" "$ENV_FILE"
	umask 022
}

# Runs a chargeyard command with the service user's rights, so what it creates in the data folder
# is the service's (runuser is in util-linux, part of every Debian).
as_service_user() {
	if [ "$MANAGE_USER" = yes ]; then
		runuser -u "$SERVICE_USER" -- "$@"
	else
		"$@"
	fi
}

# A fresh site gets its first staff user before it first listens on the LAN; otherwise the setup
# wizard would make the first visitor on the network its admin (README, "Security"). The password
# is generated here, printed once at the end, and kept in a file only root can read.
ensure_admin() {
	[ -z "$(config_value CSMS_ADMIN_PASSWORD)" ] || return 0
	[ ! -e "$ADMIN_PASSWORD_FILE" ] || return 0
	umask 077
	# 15 random bytes as 30 hex digits: 120 bits, and nothing a shell or a keyboard mistypes.
	od -An -N15 -tx1 /dev/urandom | tr -d ' \n' >"$ADMIN_PASSWORD_FILE.tmp"
	umask 022
	created=$(as_service_user "$BIN_DIR/chargeyard" create-admin <"$ADMIN_PASSWORD_FILE.tmp") || {
		rm -f "$ADMIN_PASSWORD_FILE.tmp"
		die "could not create the first staff user (see above)"
	}
	case $created in
	created*)
		GENERATED_ADMIN_PASSWORD=$(cat "$ADMIN_PASSWORD_FILE.tmp")
		mv "$ADMIN_PASSWORD_FILE.tmp" "$ADMIN_PASSWORD_FILE"
		;;
	*)
		# The data folder already has staff users: they stay, and no password is made.
		rm -f "$ADMIN_PASSWORD_FILE.tmp"
		;;
	esac
}

# The value a variable has for the appliance. The service reads only the file; a foreground run
# (--no-systemd) lets the environment win over the file, as the app does.
config_value() {
	given=
	[ "$USE_SYSTEMD" = yes ] || eval "given=\${$1-}"
	if [ -n "$given" ]; then
		printf '%s\n' "$given"
	elif [ -r "$ENV_FILE" ]; then
		sed -n "s/^$1=//p" "$ENV_FILE" | tail -n 1 | sed "s/^[\"']//; s/[\"']\$//"
	fi
}

write_wrapper() {
	tmp=$BIN_DIR/.chargeyard.tmp
	cat >"$tmp" <<EOF
#!/bin/sh
# The chargeyard command of the install in $APP_DIR (written by install.sh).
: "\${CHARGEYARD_ENV_FILE:=$ENV_FILE}"
export CHARGEYARD_ENV_FILE
exec "$NODE" "$CURRENT/bin/chargeyard" "\$@"
EOF
	chmod 0755 "$tmp"
	mv "$tmp" "$BIN_DIR/chargeyard"
}

# The unit from systemd/, with this install's paths and node filled in.
render_unit() {
	sed -e "s#/usr/bin/node #$NODE #" \
		-e "s#/opt/chargeyard#$APP_DIR#g" \
		-e "s#/var/lib/chargeyard#$DATA_DIR#g" \
		-e "s#/etc/chargeyard#$CONF_DIR#g" \
		"$CURRENT/systemd/$SERVICE.service"
}

install_unit() {
	mkdir -p "$UNIT_DIR"
	render_unit >"$UNIT_FILE.tmp"
	if [ -f "$UNIT_FILE" ] && cmp -s "$UNIT_FILE.tmp" "$UNIT_FILE"; then
		rm -f "$UNIT_FILE.tmp"
		return 0
	fi
	mv "$UNIT_FILE.tmp" "$UNIT_FILE"
	[ "$USE_SYSTEMD" = no ] || systemctl daemon-reload
}

# ---- running and checking it -----------------------------------------------------------------

health_url() {
	port=$1
	host=$(config_value CSMS_HOST)
	case $host in '' | 0.0.0.0 | ::) host=127.0.0.1 ;; *:*) host="[$host]" ;; esac
	scheme=http
	[ -z "$(config_value CSMS_TLS_CERT)" ] || scheme=https
	printf '%s://%s:%s/api/v1/health\n' "$scheme" "$host" "$port"
}

health_ok() {
	# A self-signed certificate is normal on a site's LAN; the check is about the app answering.
	NODE_TLS_REJECT_UNAUTHORIZED=0 "$NODE" -e '
		fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
			.then((response) => response.json())
			.then((body) => process.exit(body.status === "ok" ? 0 : 1), () => process.exit(1));
	' "$1" >/dev/null 2>&1
}

wait_health() {
	waited=0
	while [ "$waited" -lt "$HEALTH_WAIT_S" ]; do
		health_ok "$1" && return 0
		sleep 1
		waited=$((waited + 1))
	done
	return 1
}

# With systemd: (re)start the service and wait until it answers.
service_start() {
	systemctl enable "$SERVICE" >/dev/null 2>&1
	systemctl restart "$SERVICE"
	if wait_health "$(health_url "$(config_value CSMS_PORT)")"; then return 0; fi
	journalctl -u "$SERVICE" -n 40 --no-pager >&2 || true
	return 1
}

service_stop() {
	if [ "$USE_SYSTEMD" = yes ]; then systemctl stop "$SERVICE" || true; fi
}

# Without systemd: start the installed app once in the background, wait for health, stop it.
trial_run() {
	log=$(mktemp)
	"$BIN_DIR/chargeyard" start >"$log" 2>&1 &
	pid=$!
	port=$(config_value CSMS_PORT)
	if [ "$port" = 0 ]; then
		# The app logs the port it bound; read it from its start line.
		waited=0
		while [ "$waited" -lt "$HEALTH_WAIT_S" ]; do
			port=$(sed -n 's/.*"port":\([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
			[ -z "$port" ] || break
			kill -0 "$pid" 2>/dev/null || break
			sleep 1
			waited=$((waited + 1))
		done
	fi
	ok=no
	if [ -n "$port" ] && wait_health "$(health_url "$port")"; then ok=yes; fi
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" || true
	if [ "$ok" = no ]; then
		cat "$log" >&2
		rm -f "$log"
		return 1
	fi
	rm -f "$log"
}

start_and_check() {
	if [ "$USE_SYSTEMD" = yes ]; then service_start; else trial_run; fi
}

print_urls() {
	port=$(config_value CSMS_PORT)
	address=$(hostname -I 2>/dev/null | cut -d' ' -f1)
	[ -n "$address" ] || address=localhost
	scheme=http
	ws=ws
	if [ -n "$(config_value CSMS_TLS_CERT)" ]; then
		scheme=https
		ws=wss
	fi
	say "Chargeyard $(current_release) is installed."
	# CSMS_PORT=0 (tests) picks a free port at each start: the app logs the one it bound.
	[ "$port" != 0 ] || port='<port from the start log>'
	printf '\n  Staff UI:                    %s://%s:%s/\n' "$scheme" "$address" "$port"
	printf '  OCPP URL for the chargers:   %s://%s:%s/ocpp/  (the charger adds its own id)\n' "$ws" "$address" "$port"
	printf '  Configuration:               %s\n' "$ENV_FILE"
	printf '  Data and backups:            %s\n' "$DATA_DIR"
	if [ "$USE_SYSTEMD" = yes ]; then
		printf '  Logs:                        journalctl -u %s -f\n\n' "$SERVICE"
	else
		printf '  Start it with:               %s start\n\n' "$BIN_DIR/chargeyard"
	fi
	if [ -n "$GENERATED_ADMIN_PASSWORD" ]; then
		printf '  Staff sign-in:               user admin, password %s\n' "$GENERATED_ADMIN_PASSWORD"
		printf '                               (shown only now; a copy is in %s, readable by root\n' "$ADMIN_PASSWORD_FILE"
		printf '                               only: sign in, change the password, then delete that file)\n\n'
	fi
}

# ---- actions ---------------------------------------------------------------------------------

do_install() {
	id=$(release_id)
	installed=$(current_release)
	if [ -n "$installed" ] && [ "$installed" != "$id" ]; then
		die "Chargeyard $installed is installed; run $0 --upgrade to install $id"
	fi
	ensure_user
	ensure_dirs
	ensure_env_file
	if [ "$installed" = "$id" ]; then
		# Rerun: put back anything missing, restart nothing that is running fine.
		write_wrapper
		install_unit
		if [ "$USE_SYSTEMD" = yes ] && ! systemctl is-active --quiet "$SERVICE"; then
			service_start || die "Chargeyard does not start; see the log above"
		fi
		say "Chargeyard $id is already installed; nothing to do."
		return 0
	fi
	build_release "$id"
	switch_to "$id"
	write_wrapper
	install_unit
	ensure_admin
	start_and_check || die "Chargeyard was installed but does not answer on its health endpoint; see the log above"
	print_urls
}

do_upgrade() {
	id=$(release_id)
	previous=$(current_release)
	[ -n "$previous" ] || die "Chargeyard is not installed here; run $0 without --upgrade"
	if [ "$previous" = "$id" ]; then
		say "Chargeyard $id is already installed; nothing to do."
		return 0
	fi
	ensure_user
	ensure_dirs
	ensure_env_file
	# Build while the old version keeps serving the chargers.
	build_release "$id"
	service_stop
	backup=
	if [ -f "$DATA_DIR/chargeyard.db" ]; then
		backup=$DATA_DIR/backups/chargeyard-$(date -u +%Y%m%dT%H%M%SZ)-pre-upgrade.db
		say "backing up the database to $backup"
		"$BIN_DIR/chargeyard" backup --to "$backup" >/dev/null || {
			[ "$USE_SYSTEMD" = no ] || systemctl start "$SERVICE" || true
			die "the backup failed; nothing was changed"
		}
	fi
	switch_to "$id"
	write_wrapper
	install_unit
	if start_and_check; then
		prune_releases "$previous"
		say "upgraded from $previous"
		print_urls
		return 0
	fi
	say "the new version failed its health check; rolling back to $previous"
	service_stop
	switch_to "$previous"
	write_wrapper
	install_unit
	if [ -n "$backup" ]; then
		# The failed version may have migrated the database: the old one gets its own data back.
		"$BIN_DIR/chargeyard" restore "$backup" >/dev/null || die "restoring $backup failed; restore it by hand with: chargeyard restore $backup"
	fi
	start_and_check || die "rolled back to $previous, but it does not answer either"
	rm -rf "${APP_DIR:?}/releases/$id"
	die "upgrade to $id failed; $previous is running again with the data from before the upgrade"
}

do_uninstall() {
	if [ "$USE_SYSTEMD" = yes ] && command -v systemctl >/dev/null 2>&1 && [ -f "$UNIT_FILE" ]; then
		systemctl disable --now "$SERVICE" >/dev/null 2>&1 || true
	fi
	rm -f "$UNIT_FILE"
	if [ "$USE_SYSTEMD" = yes ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
	rm -rf "$APP_DIR"
	rm -f "$BIN_DIR/chargeyard"
	if [ "$PURGE" = yes ]; then
		rm -rf "$DATA_DIR" "$CONF_DIR"
		if [ "$MANAGE_USER" = yes ] && id "$SERVICE_USER" >/dev/null 2>&1; then userdel "$SERVICE_USER" || true; fi
		say "removed Chargeyard, its data and its configuration"
	else
		say "removed Chargeyard; the data stays in $DATA_DIR and the configuration in $CONF_DIR (--purge removes them)"
	fi
}

# One installer at a time: two would build into and switch the same folders.
LOCK_DIR=${APP_DIR}.install-lock
mkdir -p "$(dirname "$APP_DIR")"
mkdir "$LOCK_DIR" 2>/dev/null || die "another install.sh is running (remove $LOCK_DIR if it is not)"
trap 'rm -rf "$LOCK_DIR" "$APP_DIR/releases/.staging-$$" "$APP_DIR/releases/.staging-$$.build"' EXIT
trap 'exit 130' INT TERM

case $ACTION in
install)
	check_node
	do_install
	;;
upgrade)
	check_node
	do_upgrade
	;;
uninstall) do_uninstall ;;
esac
