-- Reserved: migration 011 belongs to another branch of issue 13. This empty
-- step only keeps the numbers contiguous on the anchoring branch; drop it
-- when the branches are merged.
select 1;
