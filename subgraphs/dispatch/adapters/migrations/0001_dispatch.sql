-- Drivers: the durable profile; live status and position are in Redis (the live index).
CREATE TABLE drivers (
    id           text PRIMARY KEY,            -- the driver's user id
    vehicle      text NOT NULL,
    status       text NOT NULL,               -- last status written through a command
    last_lat     double precision,
    last_lng     double precision,
    last_seen_at timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- What dispatch learns from other subgraphs' events: the order's customer and drop-off
-- (order.created) and the restaurant's location (restaurant.updated).
CREATE TABLE order_refs (
    order_id      text PRIMARY KEY,
    customer_id   text NOT NULL,
    restaurant_id text NOT NULL,
    dropoff_lat   double precision NOT NULL,
    dropoff_lng   double precision NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE restaurant_locations (
    restaurant_id text PRIMARY KEY,
    lat           double precision NOT NULL,
    lng           double precision NOT NULL,
    updated_at    timestamptz NOT NULL
);

-- Deliveries double as the matching queue: a CREATED delivery whose next_match_at has
-- come is claimed (FOR UPDATE SKIP LOCKED + a lease) by one replica's dispatcher.
CREATE TABLE deliveries (
    id              text PRIMARY KEY,
    order_id        text NOT NULL UNIQUE,
    customer_id     text NOT NULL,
    restaurant_id   text NOT NULL,
    pickup_lat      double precision NOT NULL,
    pickup_lng      double precision NOT NULL,
    dropoff_lat     double precision NOT NULL,
    dropoff_lng     double precision NOT NULL,
    driver_id       text,
    status          text NOT NULL,
    pickup_eta      timestamptz,
    dropoff_eta     timestamptz,
    match_rounds    int NOT NULL DEFAULT 0,
    next_match_at   timestamptz NOT NULL DEFAULT now(),
    match_lease     timestamptz,
    escalated_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deliveries_to_match ON deliveries (next_match_at) WHERE status = 'CREATED' AND escalated_at IS NULL;
CREATE INDEX deliveries_by_driver ON deliveries (driver_id) WHERE driver_id IS NOT NULL;

CREATE TABLE delivery_transitions (
    delivery_id text NOT NULL REFERENCES deliveries (id),
    seq         int NOT NULL,
    from_status text,
    to_status   text NOT NULL,
    at          timestamptz NOT NULL,
    actor       text NOT NULL,
    PRIMARY KEY (delivery_id, seq)
);
