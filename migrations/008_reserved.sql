-- Number 008 belongs to the sign-in throttling change, made on another
-- branch. This empty stand-in only keeps the numbering without a gap (tern
-- refuses one) so that 009 applies here; when the two branches meet, the
-- real 008 replaces this file, which must then be deleted.
select 1;
