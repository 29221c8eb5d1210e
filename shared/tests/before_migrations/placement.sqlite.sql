-- placement's tables as the release of 2026-11-23 (fc436f5) made them, with create_all: what
-- shared/tests/test_migrations.py adopts.
CREATE TABLE inbox (
	source VARCHAR(200) NOT NULL, 
	event_id VARCHAR(200) NOT NULL, 
	event_type VARCHAR(200) NOT NULL, 
	handled_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	PRIMARY KEY (source, event_id)
);

CREATE TABLE outbox (
	seq INTEGER NOT NULL, 
	event_id VARCHAR(64) NOT NULL, 
	event_type VARCHAR(200) NOT NULL, 
	subject VARCHAR(200), 
	envelope JSON NOT NULL, 
	recorded_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	published_at DATETIME, 
	PRIMARY KEY (seq), 
	UNIQUE (event_id)
);

CREATE INDEX ix_outbox_published_at ON outbox (published_at);

CREATE INDEX ix_outbox_subject ON outbox (subject);

CREATE TABLE participants (
	participant_id VARCHAR(36) NOT NULL, 
	target_group VARCHAR(40) NOT NULL, 
	municipality VARCHAR(80) NOT NULL, 
	released_on DATE, 
	PRIMARY KEY (participant_id)
);

CREATE TABLE placements (
	id VARCHAR(36) NOT NULL, 
	match_id VARCHAR(36) NOT NULL, 
	participant_id VARCHAR(36) NOT NULL, 
	employer_id VARCHAR(36) NOT NULL, 
	vacancy_id VARCHAR(36) NOT NULL, 
	occupation VARCHAR(60) NOT NULL, 
	start_date DATE NOT NULL, 
	hours_per_week INTEGER NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	contract_type VARCHAR(40), 
	hourly_wage_cents INTEGER, 
	job_coach VARCHAR(120), 
	subsidy JSON, 
	no_risk_policy BOOLEAN NOT NULL, 
	started_on DATE, 
	ended_on DATE, 
	end_reason VARCHAR(40), 
	milestones JSON NOT NULL, 
	sustained BOOLEAN NOT NULL, 
	risk VARCHAR(20) NOT NULL, 
	check_ins JSON NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (match_id)
);

CREATE INDEX ix_placements_employer_id ON placements (employer_id);

CREATE INDEX ix_placements_participant_id ON placements (participant_id);

CREATE INDEX ix_placements_started_on ON placements (started_on);

CREATE INDEX ix_placements_status ON placements (status);
