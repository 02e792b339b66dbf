"""The ledger's posting as one server-side function on PostgreSQL (nothing on other databases).

`funds.services._post` calls ``funds_post`` once per posting: it inserts the movement and,
for a pledge or a commitment, the movement's own account, then the entries in the posting's
order, then moves each balance with one guarded UPDATE in the lock order the service gives
(the movement's own accounts first, then the fund's standing accounts by id). A guard that
fails raises SQLSTATE LG001 with the account's id as detail, which the service turns into
the same refusal as on SQLite; any error undoes the whole call. Rows are read from JSON with
``jsonb_populate_record`` over the tables' own row types, so the function follows the
models' columns without naming them (the service sends every concrete column).
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION funds_post(
    p_movement jsonb, p_own jsonb, p_accounts bigint[], p_cents bigint[],
    p_guards smallint[], p_order int[]
) RETURNS bigint[] LANGUAGE plpgsql AS $$
DECLARE
    v_movement bigint := nextval(pg_get_serial_sequence('funds_movement', 'id'));
    v_own bigint;
    v_account bigint;
    v_cents bigint;
    v_guard smallint;
    i int;
BEGIN
    INSERT INTO funds_movement
        SELECT * FROM jsonb_populate_record(
            NULL::funds_movement, p_movement || jsonb_build_object('id', v_movement));
    IF p_own IS NOT NULL THEN
        v_own := nextval(pg_get_serial_sequence('funds_account', 'id'));
        INSERT INTO funds_account
            SELECT * FROM jsonb_populate_record(
                NULL::funds_account,
                p_own || jsonb_build_object('id', v_own, 'movement_id', v_movement));
    END IF;
    -- Entries in the posting's order (their ids order the journal).
    FOR i IN 1 .. array_length(p_accounts, 1) LOOP
        INSERT INTO funds_entry (movement_id, account_id, amount)
            VALUES (v_movement, coalesce(p_accounts[i], v_own), p_cents[i]::numeric / 100);
    END LOOP;
    -- Balances in the fixed lock order; a guarded balance never crosses zero.
    FOREACH i IN ARRAY p_order LOOP
        v_account := coalesce(p_accounts[i], v_own);
        v_cents := p_cents[i];
        v_guard := p_guards[i];
        UPDATE funds_account SET balance_cents = balance_cents + v_cents
         WHERE id = v_account
           AND (v_guard = 0
                OR (v_guard > 0 AND balance_cents >= -v_cents)
                OR (v_guard < 0 AND balance_cents <= -v_cents));
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'LG001', MESSAGE = 'ledger guard refused',
                DETAIL = v_account::text;
        END IF;
    END LOOP;
    RETURN ARRAY[v_movement, v_own];
END
$$;
"""

DROP = "DROP FUNCTION IF EXISTS funds_post(jsonb, jsonb, bigint[], bigint[], smallint[], int[]);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ("funds", "0002_donor_statement_version"),
    ]

    operations = [migrations.RunPython(create, drop)]
