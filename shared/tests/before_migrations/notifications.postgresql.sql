-- notifications's tables as the release of 2026-11-23 (fc436f5) made them, with create_all: what
-- shared/tests/test_migrations.py adopts.
CREATE TABLE deliveries (
	id VARCHAR(36) NOT NULL, 
	recipient_id VARCHAR(36) NOT NULL, 
	channel VARCHAR(10) NOT NULL, 
	event_source VARCHAR(200) NOT NULL, 
	event_id VARCHAR(200) NOT NULL, 
	event_type VARCHAR(200) NOT NULL, 
	envelope JSON NOT NULL, 
	summary VARCHAR(1000) NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	attempts JSON NOT NULL, 
	next_attempt_at TIMESTAMP WITH TIME ZONE, 
	delivered_at TIMESTAMP WITH TIME ZONE, 
	last_error VARCHAR(500), 
	acknowledged_at TIMESTAMP WITH TIME ZONE, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_delivery_recipient_fact_channel UNIQUE (recipient_id, event_source, event_id, channel)
);

CREATE INDEX ix_deliveries_event_id ON deliveries (event_id);

CREATE INDEX ix_deliveries_next_attempt_at ON deliveries (next_attempt_at);

CREATE INDEX ix_deliveries_recipient_id ON deliveries (recipient_id);

CREATE INDEX ix_deliveries_status ON deliveries (status);

CREATE TABLE inbox (
	source VARCHAR(200) NOT NULL, 
	event_id VARCHAR(200) NOT NULL, 
	event_type VARCHAR(200) NOT NULL, 
	handled_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
	PRIMARY KEY (source, event_id)
);

CREATE TABLE outbox (
	seq BIGSERIAL NOT NULL, 
	event_id VARCHAR(64) NOT NULL, 
	event_type VARCHAR(200) NOT NULL, 
	subject VARCHAR(200), 
	envelope JSON NOT NULL, 
	recorded_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
	published_at TIMESTAMP WITH TIME ZONE, 
	PRIMARY KEY (seq), 
	UNIQUE (event_id)
);

CREATE INDEX ix_outbox_published_at ON outbox (published_at);

CREATE INDEX ix_outbox_subject ON outbox (subject);

CREATE TABLE participant_places (
	participant_id VARCHAR(36) NOT NULL, 
	municipality VARCHAR(80), 
	informs_municipality BOOLEAN NOT NULL, 
	PRIMARY KEY (participant_id)
);

CREATE TABLE recipients (
	id VARCHAR(36) NOT NULL, 
	name VARCHAR(80) NOT NULL, 
	organisation VARCHAR(40) NOT NULL, 
	language VARCHAR(2) NOT NULL, 
	email VARCHAR(200), 
	webhook_url VARCHAR(500), 
	webhook_secret VARCHAR(100), 
	employer_id VARCHAR(36), 
	digest BOOLEAN NOT NULL, 
	last_digest_on DATE, 
	digest_retry_at TIMESTAMP WITH TIME ZONE, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);

CREATE INDEX ix_recipients_organisation ON recipients (organisation);

CREATE TABLE subscriptions (
	id VARCHAR(36) NOT NULL, 
	recipient_id VARCHAR(36) NOT NULL, 
	pattern VARCHAR(200) NOT NULL, 
	municipality VARCHAR(80), 
	PRIMARY KEY (id), 
	FOREIGN KEY(recipient_id) REFERENCES recipients (id)
);

CREATE INDEX ix_subscriptions_recipient_id ON subscriptions (recipient_id);
