CREATE TABLE `load_chargers` (
	`charger_id` text PRIMARY KEY NOT NULL,
	`max_power_w` integer,
	`min_power_w` integer,
	`phases` integer,
	`voltage_v` integer,
	`group_id` integer,
	`priority` integer DEFAULT 0 NOT NULL,
	`reported_rate_units` text,
	`reported_max_power_w` integer,
	`profiles_rejected_at` text,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `load_connector_priorities` (
	`charger_id` text NOT NULL,
	`connector_id` integer NOT NULL,
	`priority` integer NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`charger_id`, `connector_id`)
);
--> statement-breakpoint
CREATE TABLE `load_driver_priorities` (
	`user_id` integer PRIMARY KEY NOT NULL,
	`priority` integer NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `load_groups` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`limit_w` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `load_profiles` (
	`charger_id` text NOT NULL,
	`connector_id` integer NOT NULL,
	`purpose` text NOT NULL,
	`transaction_id` text,
	`limit_w` integer NOT NULL,
	`in_force_w` integer NOT NULL,
	`unit` text NOT NULL,
	`value_tenths` integer NOT NULL,
	`phases` integer NOT NULL,
	`status` text NOT NULL,
	`sent_at` text NOT NULL,
	PRIMARY KEY(`charger_id`, `connector_id`, `purpose`)
);
--> statement-breakpoint
CREATE TABLE `load_samples` (
	`at` text NOT NULL,
	`charger_id` text NOT NULL,
	`connector_id` integer NOT NULL,
	`limit_w` integer,
	`allocated_w` integer NOT NULL,
	`draw_w` integer NOT NULL,
	PRIMARY KEY(`at`, `charger_id`, `connector_id`)
);
--> statement-breakpoint
CREATE INDEX `load_samples_charger` ON `load_samples` (`charger_id`,`connector_id`,`at`);--> statement-breakpoint
CREATE TABLE `load_site` (
	`id` integer PRIMARY KEY NOT NULL,
	`limit_w` integer,
	`margin_w` integer DEFAULT 0 NOT NULL,
	`limit_amps_per_phase` integer,
	`supply_phases` integer DEFAULT 3 NOT NULL,
	`supply_voltage_v` integer DEFAULT 230 NOT NULL,
	`peak_from_minute` integer,
	`peak_to_minute` integer,
	`peak_limit_w` integer,
	`updated_at` text NOT NULL
);
