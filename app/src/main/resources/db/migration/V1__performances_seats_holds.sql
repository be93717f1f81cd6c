-- Performances and their seats. The seat row is the single source of truth for "can this seat be held
-- or sold": every state change is one conditional UPDATE on it, so two requests racing for a seat are
-- decided by PostgreSQL's row lock, not by Java.
create table performance (
    id         bigint generated always as identity primary key,
    name       text        not null check (length(name) between 1 and 200),
    starts_at  timestamptz not null,
    created_at timestamptz not null default now()
);

create table seat (
    id             bigint generated always as identity primary key,
    performance_id bigint not null references performance (id),
    label          text   not null,
    status         text   not null default 'AVAILABLE' check (status in ('AVAILABLE', 'HELD', 'SOLD')),
    hold_id        uuid,
    held_by        text,
    held_until     timestamptz,
    -- Bumped by every state change: lets readers detect concurrent changes and is cheap to keep.
    version        bigint not null default 0,
    unique (performance_id, label),
    -- No half-held seat: the hold columns are set exactly when the seat is not AVAILABLE.
    constraint seat_hold_columns check (
        (status = 'AVAILABLE' and hold_id is null and held_by is null and held_until is null)
        or (status in ('HELD', 'SOLD') and hold_id is not null and held_by is not null and held_until is not null))
);
-- One seat per hold; the sweep finds expired holds through the partial index.
create unique index seat_hold_id on seat (hold_id);
create index seat_held_until on seat (held_until) where status = 'HELD';

-- Every hold ever granted, with its outcome: lets confirm/release tell "expired" from "never existed".
create table hold (
    id             uuid primary key,
    seat_id        bigint      not null references seat (id),
    performance_id bigint      not null references performance (id),
    user_id        text        not null,
    status         text        not null check (status in ('ACTIVE', 'CONFIRMED', 'RELEASED', 'EXPIRED')),
    expires_at     timestamptz not null,
    created_at     timestamptz not null default now()
);
create index hold_seat on hold (seat_id);

-- A confirmed hold. The unique seat_id is the last line of defence: a seat can be sold only once,
-- whatever the application code does. (user_id, idempotency_key) makes confirm retries safe.
create table reservation (
    id              bigint generated always as identity primary key,
    seat_id         bigint      not null unique references seat (id),
    hold_id         uuid        not null unique references hold (id),
    performance_id  bigint      not null references performance (id),
    user_id         text        not null,
    idempotency_key text        not null,
    created_at      timestamptz not null default now(),
    unique (user_id, idempotency_key)
);
