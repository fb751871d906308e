-- One database per subgraph that uses PostgreSQL (each owns its store), one login each.
CREATE ROLE identity LOGIN PASSWORD 'dev-identity';      CREATE DATABASE identity OWNER identity;
CREATE ROLE orders LOGIN PASSWORD 'dev-orders';          CREATE DATABASE orders OWNER orders;
CREATE ROLE dispatch LOGIN PASSWORD 'dev-dispatch';      CREATE DATABASE dispatch OWNER dispatch;
CREATE ROLE wallet LOGIN PASSWORD 'dev-wallet';          CREATE DATABASE wallet OWNER wallet;
CREATE ROLE notifications LOGIN PASSWORD 'dev-notifications'; CREATE DATABASE notifications OWNER notifications;
