CREATE TABLE `payment_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`form_key` text NOT NULL,
	`reference` text NOT NULL,
	`user_id` integer NOT NULL,
	`charger_id` text NOT NULL,
	`connector_id` integer NOT NULL,
	`amount_minor` integer NOT NULL,
	`status` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`method` text,
	`topup_id` integer,
	`confirmed_at` text,
	`confirmed_by` text,
	`driver_waiting` integer,
	`start_id` integer,
	`start_refusal` text,
	`cancelled_at` text,
	`cancelled_by` text,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `drivers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`topup_id`) REFERENCES `topups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `payment_requests_form_key_unique` ON `payment_requests` (`form_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `payment_requests_open_reference` ON `payment_requests` (`reference`) WHERE status = 'open';--> statement-breakpoint
CREATE UNIQUE INDEX `payment_requests_one_open_per_driver` ON `payment_requests` (`user_id`) WHERE status = 'open';--> statement-breakpoint
CREATE INDEX `payment_requests_status` ON `payment_requests` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `payment_requests_user` ON `payment_requests` (`user_id`,`id`);--> statement-breakpoint
CREATE INDEX `topups_created` ON `topups` (`created_at`);