CREATE TABLE `cards` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`uid` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`user_id` integer,
	`account_id` integer,
	`expires_at` text,
	`allowed_chargers_json` text,
	`max_concurrent_sessions` integer DEFAULT 1 NOT NULL,
	`label` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `drivers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`account_id`) REFERENCES `ledger_accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cards_uid_unique` ON `cards` (`uid`);--> statement-breakpoint
CREATE INDEX `cards_user` ON `cards` (`user_id`);--> statement-breakpoint
CREATE TABLE `cashier_shifts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`cashier` text NOT NULL,
	`opening_float_minor` integer NOT NULL,
	`opened_at` text NOT NULL,
	`closed_at` text,
	`counted_cash_minor` integer,
	`expected_cash_minor` integer,
	`difference_minor` integer,
	`note` text
);
--> statement-breakpoint
CREATE INDEX `cashier_shifts_cashier` ON `cashier_shifts` (`cashier`,`closed_at`);--> statement-breakpoint
CREATE TABLE `drivers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`phone` text NOT NULL,
	`email` text,
	`pin_hash` text,
	`notes` text,
	`account_id` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `ledger_accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `drivers_phone_unique` ON `drivers` (`phone`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`key` text PRIMARY KEY NOT NULL,
	`request_hash` text NOT NULL,
	`response_status` integer NOT NULL,
	`response_json` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ledger_accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`normal_side` text NOT NULL,
	`allow_negative` integer NOT NULL,
	`currency` text NOT NULL,
	`net_minor` integer DEFAULT 0 NOT NULL,
	`pending_debits_minor` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ledger_accounts_kind` ON `ledger_accounts` (`kind`);--> statement-breakpoint
CREATE TABLE `ledger_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`transfer_id` integer NOT NULL,
	`account_id` integer NOT NULL,
	`amount_minor` integer NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`transfer_id`) REFERENCES `ledger_transfers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`account_id`) REFERENCES `ledger_accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `ledger_entries_account` ON `ledger_entries` (`account_id`,`id`);--> statement-breakpoint
CREATE INDEX `ledger_entries_transfer` ON `ledger_entries` (`transfer_id`);--> statement-breakpoint
CREATE TABLE `ledger_transfers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`debit_account_id` integer NOT NULL,
	`credit_account_id` integer NOT NULL,
	`amount_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`code` text NOT NULL,
	`reference` text,
	`pending_id` integer,
	`corrects_transfer_id` integer,
	`reason` text,
	`timeout_at` text,
	`created_by` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`debit_account_id`) REFERENCES `ledger_accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`credit_account_id`) REFERENCES `ledger_accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_transfers_pending` ON `ledger_transfers` (`pending_id`);--> statement-breakpoint
CREATE INDEX `ledger_transfers_corrects` ON `ledger_transfers` (`corrects_transfer_id`);--> statement-breakpoint
CREATE INDEX `ledger_transfers_debit` ON `ledger_transfers` (`debit_account_id`,`kind`);--> statement-breakpoint
CREATE INDEX `ledger_transfers_reference` ON `ledger_transfers` (`reference`);--> statement-breakpoint
CREATE TABLE `session_billing` (
	`session_id` integer PRIMARY KEY NOT NULL,
	`payer` text NOT NULL,
	`account_id` integer,
	`tariff_version_id` integer,
	`hold_transfer_id` integer,
	`remote_stop_requested_at` text,
	`remote_stop_reason` text,
	`charge_transfer_id` integer,
	`debt_minor` integer DEFAULT 0 NOT NULL,
	`billed_at` text
);
--> statement-breakpoint
CREATE TABLE `start_holds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`hold_transfer_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`charger_id` text NOT NULL,
	`connector_id` integer NOT NULL,
	`session_id` integer,
	`created_at` text NOT NULL,
	FOREIGN KEY (`hold_transfer_id`) REFERENCES `ledger_transfers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `drivers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `start_holds_hold_transfer_id_unique` ON `start_holds` (`hold_transfer_id`);--> statement-breakpoint
CREATE INDEX `start_holds_user` ON `start_holds` (`user_id`,`charger_id`);--> statement-breakpoint
CREATE TABLE `tariff_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`charger_id` text,
	`removed` integer DEFAULT false NOT NULL,
	`energy_price_per_kwh_minor` integer NOT NULL,
	`session_fee_minor` integer NOT NULL,
	`time_price_per_hour_minor` integer NOT NULL,
	`idle_fee_per_hour_minor` integer NOT NULL,
	`idle_grace_s` integer NOT NULL,
	`bands_json` text DEFAULT '[]' NOT NULL,
	`created_by` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `tariff_versions_scope` ON `tariff_versions` (`charger_id`,`id`);--> statement-breakpoint
CREATE TABLE `topup_refunds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`topup_id` integer NOT NULL,
	`amount_minor` integer NOT NULL,
	`reason` text NOT NULL,
	`created_by` text,
	`shift_id` integer,
	`transfer_id` integer NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`topup_id`) REFERENCES `topups`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`transfer_id`) REFERENCES `ledger_transfers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `topup_refunds_topup` ON `topup_refunds` (`topup_id`);--> statement-breakpoint
CREATE TABLE `topups` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`receipt_no` integer NOT NULL,
	`account_id` integer NOT NULL,
	`card_uid` text,
	`user_id` integer,
	`amount_minor` integer NOT NULL,
	`method` text NOT NULL,
	`note` text,
	`created_by` text,
	`shift_id` integer,
	`transfer_id` integer NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `ledger_accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`transfer_id`) REFERENCES `ledger_transfers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `topups_receipt_no_unique` ON `topups` (`receipt_no`);--> statement-breakpoint
CREATE INDEX `topups_account` ON `topups` (`account_id`);--> statement-breakpoint
CREATE INDEX `topups_shift` ON `topups` (`shift_id`);--> statement-breakpoint
CREATE TABLE `unknown_cards` (
	`uid` text PRIMARY KEY NOT NULL,
	`first_seen_at` text NOT NULL,
	`last_seen_at` text NOT NULL,
	`last_charger_id` text NOT NULL,
	`times_seen` integer NOT NULL
);
