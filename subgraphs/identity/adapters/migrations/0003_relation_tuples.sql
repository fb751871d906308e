CREATE TABLE relation_tuples (
    namespace  text NOT NULL,
    object     text NOT NULL,
    relation   text NOT NULL,
    subject    text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (namespace, object, relation, subject)
);
CREATE INDEX relation_tuples_subject ON relation_tuples (subject);
