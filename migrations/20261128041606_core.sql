CREATE TABLE `api_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`role` text NOT NULL,
	`created_by` text,
	`created_at` text NOT NULL,
	`last_used_at` text,
	`revoked_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_token_hash_unique` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `charger_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`charger_id` text NOT NULL,
	`kind` text NOT NULL,
	`payload_json` text NOT NULL,
	`received_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `charger_events_charger` ON `charger_events` (`charger_id`,`id`);--> statement-breakpoint
CREATE TABLE `chargers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text,
	`password_hash` text,
	`registration` text NOT NULL,
	`vendor` text,
	`model` text,
	`serial_number` text,
	`firmware_version` text,
	`iccid` text,
	`imsi` text,
	`meter_type` text,
	`meter_serial_number` text,
	`ocpp_version` text,
	`last_seen_at` text,
	`last_boot_at` text,
	`last_connected_at` text,
	`firmware_status` text,
	`firmware_status_at` text,
	`diagnostics_status` text,
	`diagnostics_status_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `connector_status_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`charger_id` text NOT NULL,
	`connector_id` integer NOT NULL,
	`status` text NOT NULL,
	`error_code` text,
	`info` text,
	`vendor_id` text,
	`vendor_error_code` text,
	`status_at` text NOT NULL,
	`received_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `connector_status_history_charger` ON `connector_status_history` (`charger_id`,`connector_id`,`id`);--> statement-breakpoint
CREATE TABLE `connectors` (
	`charger_id` text NOT NULL,
	`connector_id` integer NOT NULL,
	`evse_id` integer,
	`status` text NOT NULL,
	`error_code` text,
	`info` text,
	`vendor_id` text,
	`vendor_error_code` text,
	`status_at` text NOT NULL,
	`received_at` text NOT NULL,
	PRIMARY KEY(`charger_id`, `connector_id`),
	FOREIGN KEY (`charger_id`) REFERENCES `chargers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `meter_values` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`session_id` integer,
	`charger_id` text NOT NULL,
	`connector_id` integer NOT NULL,
	`transaction_id` text,
	`timestamp` text NOT NULL,
	`context` text,
	`energy_register_wh` integer,
	`rollback` integer DEFAULT false NOT NULL,
	`sampled_value_json` text NOT NULL,
	`received_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `meter_values_session` ON `meter_values` (`session_id`,`id`);--> statement-breakpoint
CREATE INDEX `meter_values_charger` ON `meter_values` (`charger_id`,`id`);--> statement-breakpoint
CREATE TABLE `ocpp_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`charger_id` text NOT NULL,
	`direction` text NOT NULL,
	`message_type_id` integer NOT NULL,
	`message_id` text,
	`action` text,
	`frame` text NOT NULL,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ocpp_messages_charger` ON `ocpp_messages` (`charger_id`,`id`);--> statement-breakpoint
CREATE INDEX `ocpp_messages_at` ON `ocpp_messages` (`at`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`transaction_id` text,
	`charger_id` text NOT NULL,
	`connector_id` integer NOT NULL,
	`evse_id` integer,
	`ocpp_version` text NOT NULL,
	`id_tag` text NOT NULL,
	`card_uid` text,
	`user_id` integer,
	`authorization_status` text NOT NULL,
	`status` text NOT NULL,
	`started_at` text NOT NULL,
	`stopped_at` text,
	`meter_start_wh` integer NOT NULL,
	`meter_stop_wh` integer,
	`energy_wh` integer,
	`last_meter_wh` integer,
	`last_meter_at` text,
	`stop_reason` text,
	`stop_id_tag` text,
	`reservation_id` integer,
	`cost_minor` integer,
	`tariff_version_id` integer,
	`cost_breakdown_json` text,
	`start_fingerprint` text NOT NULL,
	`flags_json` text DEFAULT '[]' NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sessions_charger_transaction` ON `sessions` (`charger_id`,`transaction_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `sessions_start_fingerprint` ON `sessions` (`charger_id`,`start_fingerprint`);--> statement-breakpoint
CREATE INDEX `sessions_started` ON `sessions` (`started_at`,`id`);--> statement-breakpoint
CREATE INDEX `sessions_status` ON `sessions` (`status`,`charger_id`);--> statement-breakpoint
CREATE INDEX `sessions_stopped` ON `sessions` (`stopped_at`);--> statement-breakpoint
CREATE INDEX `sessions_card` ON `sessions` (`card_uid`);--> statement-breakpoint
CREATE INDEX `sessions_user` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value_json` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `unmatched_transaction_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`charger_id` text NOT NULL,
	`transaction_id` text NOT NULL,
	`action` text NOT NULL,
	`payload_json` text NOT NULL,
	`received_at` text NOT NULL
);
