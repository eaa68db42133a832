"""The reward catalogue cannot contradict itself, in the database (R11).

PostgreSQL: exclusion constraints over ranges (btree_gist): the validity periods of one rule code
never overlap, nor do the bands of one rule; a constraint trigger checked at commit refuses holes
in a rule's bands (the first starts at 0, each next where the one before ends, only the last open).
SQLite: triggers refuse overlapping periods and overlapping bands at the statement (holes, a
property of the whole set of bands, are checked by the one validation every write path shares).
"""

from django.db import migrations

POSTGRES_FORWARDS = [
    # Here rather than CreateExtension, whose reverse queries pg_extension on any database; the
    # extension stays on the way back (other objects may use it).
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
    ALTER TABLE rewards_rewardrule ADD CONSTRAINT reward_rule_periods_disjoint
    EXCLUDE USING gist (code WITH =, daterange(valid_from, valid_to, '[]') WITH &&)
    """,
    """
    ALTER TABLE rewards_rewardband ADD CONSTRAINT reward_bands_disjoint
    EXCLUDE USING gist (rule_id WITH =, numrange(min_increase, max_increase, '[)') WITH &&)
    """,
    """
    CREATE FUNCTION rewards_bands_contiguous() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        checked bigint;
        previous_high numeric;
        first boolean := true;
        band record;
    BEGIN
        IF TG_OP = 'DELETE' THEN checked := OLD.rule_id; ELSE checked := NEW.rule_id; END IF;
        FOR band IN SELECT min_increase, max_increase FROM rewards_rewardband
                    WHERE rule_id = checked ORDER BY min_increase LOOP
            IF first AND band.min_increase <> 0 THEN
                RAISE EXCEPTION 'reward_bands_contiguous: the first band of rule % starts at %',
                    checked, band.min_increase USING ERRCODE = 'check_violation';
            END IF;
            IF NOT first AND (previous_high IS NULL OR band.min_increase <> previous_high) THEN
                RAISE EXCEPTION 'reward_bands_contiguous: a hole or an overlap before % in rule %',
                    band.min_increase, checked USING ERRCODE = 'check_violation';
            END IF;
            previous_high := band.max_increase;
            first := false;
        END LOOP;
        IF NOT first AND previous_high IS NOT NULL THEN
            RAISE EXCEPTION 'reward_bands_contiguous: the last band of rule % ends at %',
                checked, previous_high USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE CONSTRAINT TRIGGER reward_bands_contiguous
    AFTER INSERT OR UPDATE OR DELETE ON rewards_rewardband
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rewards_bands_contiguous()
    """,
]
POSTGRES_BACKWARDS = [
    "DROP TRIGGER IF EXISTS reward_bands_contiguous ON rewards_rewardband",
    "DROP FUNCTION IF EXISTS rewards_bands_contiguous()",
    "ALTER TABLE rewards_rewardband DROP CONSTRAINT IF EXISTS reward_bands_disjoint",
    "ALTER TABLE rewards_rewardrule DROP CONSTRAINT IF EXISTS reward_rule_periods_disjoint",
]

_PERIOD_CLASH = """
    EXISTS (SELECT 1 FROM rewards_rewardrule r WHERE r.code = NEW.code AND r.id IS NOT NEW.id
            AND r.valid_from <= COALESCE(NEW.valid_to, '9999-12-31')
            AND NEW.valid_from <= COALESCE(r.valid_to, '9999-12-31'))
"""
_BAND_CLASH = """
    EXISTS (SELECT 1 FROM rewards_rewardband b WHERE b.rule_id = NEW.rule_id AND b.id IS NOT NEW.id
            AND b.min_increase < COALESCE(NEW.max_increase, 1e18)
            AND NEW.min_increase < COALESCE(b.max_increase, 1e18))
"""
SQLITE_FORWARDS = [
    f"""
    CREATE TRIGGER {name} BEFORE {event} ON {table} WHEN {clash}
    BEGIN SELECT RAISE(ABORT, '{constraint}'); END
    """
    for name, event, table, clash, constraint in [
        (
            "reward_rule_periods_disjoint_insert",
            "INSERT",
            "rewards_rewardrule",
            _PERIOD_CLASH,
            "reward_rule_periods_disjoint",
        ),
        (
            "reward_rule_periods_disjoint_update",
            "UPDATE OF code, valid_from, valid_to",
            "rewards_rewardrule",
            _PERIOD_CLASH,
            "reward_rule_periods_disjoint",
        ),
        (
            "reward_bands_disjoint_insert",
            "INSERT",
            "rewards_rewardband",
            _BAND_CLASH,
            "reward_bands_disjoint",
        ),
        (
            "reward_bands_disjoint_update",
            "UPDATE OF rule_id, min_increase, max_increase",
            "rewards_rewardband",
            _BAND_CLASH,
            "reward_bands_disjoint",
        ),
    ]
]
SQLITE_BACKWARDS = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "reward_rule_periods_disjoint_insert",
        "reward_rule_periods_disjoint_update",
        "reward_bands_disjoint_insert",
        "reward_bands_disjoint_update",
    )
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        # No parameters: the PL/pgSQL's own % placeholders must reach the server untouched.
        with schema_editor.connection.cursor() as cursor:
            for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
                cursor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("rewards", "0003_conversion_roles")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARDS, "sqlite": SQLITE_FORWARDS}),
            _run({"postgresql": POSTGRES_BACKWARDS, "sqlite": SQLITE_BACKWARDS}),
        ),
    ]
