"""The posting function, faster and with references that cannot collide (PostgreSQL only).

Replaces ``funds_post`` of migration 0003 with the same guards, refusals and lock order, and:

- a movement posted without a reference gets ``<prefix><its id>`` (the service sends the
  prefix, e.g. ``REC-20261130-``): ids never repeat, so neither do these references, however
  many movements a day brings; a pledge's or a commitment's own account is named after it;
- when the call is its own transaction (``p_checks_now``: autocommit, the clerk's usual
  case), foreign keys are checked as the rows are inserted rather than at the commit, so
  that the checks run before the first balance is locked, not while every other clerk waits
  on the fund's busiest rows; the entries are inserted after the balances move, when their
  accounts are already this transaction's (their checks then wait on nobody);
- the identity sequence is named once, here, instead of looked up on every call.

A guard that fails raises SQLSTATE LG001 with the account's id as detail, as before.
"""

from django.db import migrations

CREATE = r"""
CREATE FUNCTION funds_post(
    p_movement jsonb, p_ref_prefix text, p_own jsonb, p_accounts bigint[], p_cents bigint[],
    p_guards smallint[], p_order int[], p_checks_now boolean
) RETURNS bigint[] LANGUAGE plpgsql AS $$
DECLARE
    v_movement bigint := nextval('%(movement_seq)s'::regclass);
    v_own bigint;
    v_account bigint;
    v_cents bigint;
    v_guard smallint;
    i int;
BEGIN
    IF p_checks_now THEN
        -- This call is the whole transaction: nothing else is affected.
        SET CONSTRAINTS ALL IMMEDIATE;
    END IF;
    IF p_ref_prefix IS NOT NULL THEN
        p_movement := p_movement || jsonb_build_object('ref', p_ref_prefix || v_movement);
        IF p_own IS NOT NULL THEN
            p_own := p_own || jsonb_build_object(
                'code', (p_own->>'code') || p_ref_prefix || v_movement);
        END IF;
    END IF;
    INSERT INTO funds_movement
        SELECT * FROM jsonb_populate_record(
            NULL::funds_movement, p_movement || jsonb_build_object('id', v_movement));
    IF p_own IS NOT NULL THEN
        v_own := nextval('%(account_seq)s'::regclass);
        INSERT INTO funds_account
            SELECT * FROM jsonb_populate_record(
                NULL::funds_account,
                p_own || jsonb_build_object('id', v_own, 'movement_id', v_movement));
    END IF;
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
    -- Entries in the posting's order (their ids order the journal), in one statement.
    INSERT INTO funds_entry (movement_id, account_id, amount)
        SELECT v_movement, coalesce(a.account, v_own), a.cents::numeric / 100
          FROM unnest(p_accounts, p_cents) WITH ORDINALITY AS a(account, cents, n)
         ORDER BY a.n;
    RETURN ARRAY[v_movement, v_own];
END
$$;
"""

DROP = ("DROP FUNCTION IF EXISTS funds_post(jsonb, text, jsonb, bigint[], bigint[], "
        "smallint[], int[], boolean);")
DROP_0003 = ("DROP FUNCTION IF EXISTS funds_post(jsonb, jsonb, bigint[], bigint[], "
             "smallint[], int[]);")


def _sequence(cursor, table: str) -> str:
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    return cursor.fetchone()[0]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        names = {"movement_seq": _sequence(cursor, "funds_movement"),
                 "account_seq": _sequence(cursor, "funds_account")}
    schema_editor.execute(DROP_0003)
    schema_editor.execute(CREATE % names, params=None)


def restore(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    import importlib

    previous = importlib.import_module("patto.funds.migrations.0003_funds_post")
    schema_editor.execute(DROP)
    schema_editor.execute(previous.CREATE)


class Migration(migrations.Migration):

    dependencies = [
        ("funds", "0003_funds_post"),
    ]

    operations = [migrations.RunPython(create, restore)]
