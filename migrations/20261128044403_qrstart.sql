CREATE TABLE `driver_sign_in_failures` (
	`phone` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`last_failed_at` text NOT NULL,
	`locked_until` text
);
--> statement-breakpoint
CREATE TABLE `driver_web_sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `drivers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `driver_web_sessions_user` ON `driver_web_sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `qr_starts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`form_key` text NOT NULL,
	`user_id` integer NOT NULL,
	`charger_id` text NOT NULL,
	`connector_id` integer NOT NULL,
	`amount_minor` integer NOT NULL,
	`hold_transfer_id` integer NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`session_id` integer,
	`created_at` text NOT NULL,
	`accepted_at` text,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `drivers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `qr_starts_form_key_unique` ON `qr_starts` (`form_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `qr_starts_one_active_per_connector` ON `qr_starts` (`charger_id`,`connector_id`) WHERE status IN ('starting', 'accepted', 'charging');--> statement-breakpoint
CREATE INDEX `qr_starts_user` ON `qr_starts` (`user_id`,`id`);--> statement-breakpoint
CREATE INDEX `qr_starts_session` ON `qr_starts` (`session_id`);