ALTER TABLE `sessions` ADD `charger_started_at` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `charger_stopped_at` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `last_meter_charger_at` text;