ALTER TABLE `load_profiles` ADD `fallback_w` integer;--> statement-breakpoint
ALTER TABLE `load_profiles` ADD `fallback_at` text;