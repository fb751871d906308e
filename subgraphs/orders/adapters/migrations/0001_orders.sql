-- Orders and their timelines. Lines and the address are read and written whole with the
-- order, so they are JSON; totals are columns in minor units.
CREATE TABLE orders (
    id                 uuid             PRIMARY KEY,
    customer_id        text             NOT NULL,
    restaurant_id      text             NOT NULL,
    idempotency_key    text             NOT NULL,
    status             text             NOT NULL,
    version            bigint           NOT NULL,
    currency           text             NOT NULL,
    subtotal_minor     bigint           NOT NULL,
    delivery_fee_minor bigint           NOT NULL,
    points_redeemed    bigint           NOT NULL,
    total_minor        bigint           NOT NULL,
    lines              jsonb            NOT NULL,
    delivery_address   jsonb            NOT NULL,
    delivery_lat       double precision NOT NULL,
    delivery_lng       double precision NOT NULL,
    -- The durable acceptance timer: set while PAID, scanned with SKIP LOCKED.
    accept_by          timestamptz,
    driver_id          text             NOT NULL DEFAULT '',
    placed_at          timestamptz      NOT NULL,
    updated_at         timestamptz      NOT NULL,
    UNIQUE (customer_id, idempotency_key)
);
CREATE INDEX orders_by_customer ON orders (customer_id, placed_at DESC, id DESC);
CREATE INDEX orders_by_restaurant ON orders (restaurant_id, placed_at DESC, id DESC);
CREATE INDEX orders_acceptance_due ON orders (accept_by) WHERE status = 'PAID';

-- Append-only: every transition with its time, actor and reason.
CREATE TABLE order_transitions (
    order_id    uuid        NOT NULL REFERENCES orders (id),
    seq         integer     NOT NULL,
    from_status text        NOT NULL,
    to_status   text        NOT NULL,
    at          timestamptz NOT NULL,
    actor       text        NOT NULL,
    reason      text        NOT NULL DEFAULT '',
    PRIMARY KEY (order_id, seq)
);
