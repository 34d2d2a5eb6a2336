#!/bin/sh
# Run by the postgres image on its first start (empty volume): the server's role owns its
# database and is not a superuser. Its password comes from the veza_db_password secret, the same
# one written into the database_url secret.
set -eu
password=$(cat /run/secrets/veza_db_password)
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres --set password="$password" <<'SQL'
CREATE ROLE veza LOGIN PASSWORD :'password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE DATABASE veza OWNER veza;
SQL
