-- intake's tables as the release of 2026-11-23 (fc436f5) made them, with create_all: what
-- shared/tests/test_migrations.py adopts.
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

CREATE TABLE participants (
	id VARCHAR(36) NOT NULL, 
	target_group VARCHAR(40) NOT NULL, 
	institution VARCHAR(120) NOT NULL, 
	municipality VARCHAR(80) NOT NULL, 
	expected_release_date DATE NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	screening JSON, 
	consents JSON NOT NULL, 
	basic_conditions JSON NOT NULL, 
	rejection_reason VARCHAR(40), 
	released_on DATE, 
	withdrawal_reason VARCHAR(40), 
	withdrawn_on DATE, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_participants_expected_release_date ON participants (expected_release_date);

CREATE INDEX ix_participants_status ON participants (status);

CREATE INDEX ix_participants_target_group ON participants (target_group);

CREATE TABLE personal_data_reads (
	id VARCHAR(36) NOT NULL, 
	participant_id VARCHAR(36) NOT NULL, 
	reader VARCHAR(120) NOT NULL, 
	role VARCHAR(40) NOT NULL, 
	organisation VARCHAR(40) NOT NULL, 
	fields JSON NOT NULL, 
	read_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_personal_data_reads_participant_id ON personal_data_reads (participant_id);

CREATE INDEX ix_personal_data_reads_read_at ON personal_data_reads (read_at);

CREATE INDEX ix_personal_data_reads_reader ON personal_data_reads (reader);

CREATE TABLE identities (
	participant_id VARCHAR(36) NOT NULL, 
	sealed BYTEA NOT NULL, 
	active_bsn_index VARCHAR(64), 
	PRIMARY KEY (participant_id), 
	FOREIGN KEY(participant_id) REFERENCES participants (id), 
	UNIQUE (active_bsn_index)
);
