PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_connectors` (
	`charger_id` text NOT NULL,
	`connector_id` integer NOT NULL,
	`evse_connector_id` integer DEFAULT 1 NOT NULL,
	`evse_id` integer,
	`status` text NOT NULL,
	`error_code` text,
	`info` text,
	`vendor_id` text,
	`vendor_error_code` text,
	`status_at` text NOT NULL,
	`received_at` text NOT NULL,
	PRIMARY KEY(`charger_id`, `connector_id`, `evse_connector_id`),
	FOREIGN KEY (`charger_id`) REFERENCES `chargers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- Hand-edited (drizzle-kit copies evse_connector_id from the old table, which has none): every existing row is connector 1 of its EVSE.
INSERT INTO `__new_connectors`("charger_id", "connector_id", "evse_connector_id", "evse_id", "status", "error_code", "info", "vendor_id", "vendor_error_code", "status_at", "received_at") SELECT "charger_id", "connector_id", 1, "evse_id", "status", "error_code", "info", "vendor_id", "vendor_error_code", "status_at", "received_at" FROM `connectors`;--> statement-breakpoint
DROP TABLE `connectors`;--> statement-breakpoint
ALTER TABLE `__new_connectors` RENAME TO `connectors`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
ALTER TABLE `connector_status_history` ADD `evse_connector_id` integer DEFAULT 1 NOT NULL;