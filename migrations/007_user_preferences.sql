-- A user's language for the web pages (null: follow the browser), and
-- whether the password was set by someone else and must be changed at the
-- next sign-in before anything else.
alter table users
    add column language text check (language in ('en', 'fr')),
    add column must_change_password boolean not null default false;
