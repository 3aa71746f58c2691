CREATE TABLE `ocpp_message_chunks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`charger_id` text NOT NULL,
	`entry_count` integer NOT NULL,
	`first_at` text NOT NULL,
	`last_at` text NOT NULL,
	`entries_json` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ocpp_message_chunks_charger` ON `ocpp_message_chunks` (`charger_id`,`id`);--> statement-breakpoint
CREATE INDEX `ocpp_message_chunks_last_at` ON `ocpp_message_chunks` (`last_at`);--> statement-breakpoint
INSERT INTO `ocpp_message_chunks` (`charger_id`, `entry_count`, `first_at`, `last_at`, `entries_json`)
SELECT `charger_id`, 1, `at`, `at`, json_array(json_array(`direction`, `message_type_id`, `message_id`, `action`, `frame`, `at`)) FROM `ocpp_messages` ORDER BY `id`;
