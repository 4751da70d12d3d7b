"""Secrets at rest: authenticator keys sealed (encrypted) in the database; on PostgreSQL, audit rows
cannot be changed or removed by any SQL, the app's own connection included

Revision ID: 0013_secrets_at_rest
Revises: 0012_retention
Create Date: 2026-12-04 03:30:00

"""
from alembic import op
import sqlalchemy as sa

from grants.models.sealed import looks_sealed, seal, unseal


# revision identifiers, used by Alembic.
revision = '0013_secrets_at_rest'
down_revision = '0012_retention'
branch_labels = None
depends_on = None

USERS = sa.table('users', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String))

# A row-level trigger refuses UPDATE and DELETE, a statement-level one TRUNCATE, whoever connects
# (the owner too). Only a deliberate purge in one transaction (SET LOCAL grantflow.audit_purge = 'on',
# as the test suite does to empty its database) passes.
FINAL = """
CREATE FUNCTION audit_events_are_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('grantflow.audit_purge', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit rows are final: % on audit_events refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_final BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_are_final();
CREATE TRIGGER audit_events_final_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_are_final();
"""


def _reseal(change) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(USERS.c.id, USERS.c.totp_secret).where(USERS.c.totp_secret.is_not(None)))
    for user_id, value in rows.all():
        connection.execute(USERS.update().where(USERS.c.id == user_id).values(totp_secret=change(value)))


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64), type_=sa.String(length=255))
    _reseal(lambda value: value if looks_sealed(value) else seal(value))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(FINAL)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER audit_events_final_truncate ON audit_events")
        op.execute("DROP TRIGGER audit_events_final ON audit_events")
        op.execute("DROP FUNCTION audit_events_are_final()")
    _reseal(lambda value: unseal(value) if looks_sealed(value) else value)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=255), type_=sa.String(length=64))
