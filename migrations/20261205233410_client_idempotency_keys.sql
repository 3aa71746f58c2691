-- Idempotency-Keys belong to their client (CONTRACT, JSON API). Keys stored before this belonged to no one
-- in particular; they keep an empty client, which no API token or staff user is.
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_idempotency_keys` (
	`client` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`response_status` integer NOT NULL,
	`response_json` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`client`, `key`)
);
--> statement-breakpoint
INSERT INTO `__new_idempotency_keys`("client", "key", "request_hash", "response_status", "response_json", "created_at") SELECT '', "key", "request_hash", "response_status", "response_json", "created_at" FROM `idempotency_keys`;--> statement-breakpoint
DROP TABLE `idempotency_keys`;--> statement-breakpoint
ALTER TABLE `__new_idempotency_keys` RENAME TO `idempotency_keys`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `idempotency_keys_created` ON `idempotency_keys` (`created_at`);