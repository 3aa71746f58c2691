CREATE TABLE `report_rollup_days` (
	`date` text PRIMARY KEY NOT NULL,
	`time_zone` text NOT NULL,
	`computed_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `report_rollups` (
	`date` text NOT NULL,
	`charger_id` text NOT NULL,
	`sessions` integer NOT NULL,
	`charging_seconds` integer NOT NULL,
	`energy_wh` integer NOT NULL,
	`revenue_minor` integer NOT NULL,
	PRIMARY KEY(`date`, `charger_id`)
);
