CREATE TABLE `ocpp201_device_variables` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`charger_id` text NOT NULL,
	`component_name` text NOT NULL,
	`component_instance` text DEFAULT '' NOT NULL,
	`evse_id` integer DEFAULT 0 NOT NULL,
	`connector_id` integer DEFAULT 0 NOT NULL,
	`variable_name` text NOT NULL,
	`variable_instance` text DEFAULT '' NOT NULL,
	`attribute_type` text DEFAULT 'Actual' NOT NULL,
	`value` text,
	`mutability` text,
	`data_type` text,
	`reported_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ocpp201_device_variables_key` ON `ocpp201_device_variables` (`charger_id`,`component_name`,`component_instance`,`evse_id`,`connector_id`,`variable_name`,`variable_instance`,`attribute_type`);--> statement-breakpoint
CREATE TABLE `ocpp201_transaction_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`charger_id` text NOT NULL,
	`transaction_id` text NOT NULL,
	`seq_no` integer NOT NULL,
	`event_type` text NOT NULL,
	`trigger_reason` text NOT NULL,
	`offline` integer NOT NULL,
	`timestamp` text NOT NULL,
	`evse_id` integer,
	`connector_id` integer,
	`id_token` text,
	`id_token_type` text,
	`charging_state` text,
	`stopped_reason` text,
	`remote_start_id` integer,
	`energy_register_wh` integer,
	`received_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ocpp201_transaction_events_seq` ON `ocpp201_transaction_events` (`charger_id`,`transaction_id`,`seq_no`);--> statement-breakpoint
CREATE INDEX `ocpp201_transaction_events_charger` ON `ocpp201_transaction_events` (`charger_id`,`id`);