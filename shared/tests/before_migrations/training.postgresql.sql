-- training's tables as the release of 2026-11-23 (fc436f5) made them, with create_all: what
-- shared/tests/test_migrations.py adopts.
CREATE TABLE certificate_numbers (
	number BIGSERIAL NOT NULL, 
	issued_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
	PRIMARY KEY (number)
);

CREATE TABLE cohorts (
	id VARCHAR(36) NOT NULL, 
	module VARCHAR(60) NOT NULL, 
	starts_on DATE NOT NULL, 
	ends_on DATE NOT NULL, 
	places INTEGER NOT NULL, 
	trainer VARCHAR(120) NOT NULL, 
	members JSON NOT NULL, 
	sessions JSON NOT NULL, 
	version INTEGER NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_cohorts_module ON cohorts (module);

CREATE TABLE inbox (
	source VARCHAR(200) NOT NULL, 
	event_id VARCHAR(200) NOT NULL, 
	event_type VARCHAR(200) NOT NULL, 
	handled_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
	PRIMARY KEY (source, event_id)
);

CREATE TABLE modules (
	code VARCHAR(60) NOT NULL, 
	name VARCHAR(120) NOT NULL, 
	weeks INTEGER NOT NULL, 
	places INTEGER NOT NULL, 
	certificate VARCHAR(60) NOT NULL, 
	issuer VARCHAR(120) NOT NULL, 
	valid_years INTEGER, 
	sectors JSON NOT NULL, 
	required_modules JSON NOT NULL, 
	min_language_level VARCHAR(2), 
	PRIMARY KEY (code)
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

CREATE TABLE programmes (
	id VARCHAR(36) NOT NULL, 
	participant_id VARCHAR(36) NOT NULL, 
	language_level VARCHAR(2) NOT NULL, 
	release_date DATE NOT NULL, 
	enrolled_on DATE NOT NULL, 
	steps JSON NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	results JSON NOT NULL, 
	certificates JSON NOT NULL, 
	drop_out_reason VARCHAR(40), 
	PRIMARY KEY (id), 
	UNIQUE (participant_id)
);

CREATE TABLE vacancy_demand (
	vacancy_id VARCHAR(36) NOT NULL, 
	sector VARCHAR(40) NOT NULL, 
	certificates JSON NOT NULL, 
	open BOOLEAN NOT NULL, 
	PRIMARY KEY (vacancy_id)
);

CREATE TABLE waiting_list (
	seq BIGSERIAL NOT NULL, 
	module VARCHAR(60) NOT NULL, 
	participant_id VARCHAR(36) NOT NULL, 
	since TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
	PRIMARY KEY (seq)
);

CREATE INDEX ix_waiting_list_module ON waiting_list (module);

CREATE INDEX ix_waiting_list_participant_id ON waiting_list (participant_id);
