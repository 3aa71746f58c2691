ALTER TABLE `start_holds` ADD `id_tag` text;--> statement-breakpoint
CREATE UNIQUE INDEX `start_holds_id_tag_unique` ON `start_holds` (`id_tag`);