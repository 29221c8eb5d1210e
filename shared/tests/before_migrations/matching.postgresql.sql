-- matching's tables as the release of 2026-11-23 (fc436f5) made them, with create_all: what
-- shared/tests/test_migrations.py adopts.
CREATE TABLE candidates (
	participant_id VARCHAR(36) NOT NULL, 
	municipality VARCHAR(80) NOT NULL, 
	expected_release_date DATE NOT NULL, 
	released_on DATE, 
	may_work_outside_from DATE, 
	language_level VARCHAR(2) NOT NULL, 
	occupations JSON NOT NULL, 
	skills JSON NOT NULL, 
	preferred_sectors JSON NOT NULL, 
	hours_per_week INTEGER, 
	restrictions JSON NOT NULL, 
	banned_municipalities JSON NOT NULL, 
	vog_risk_areas JSON NOT NULL, 
	curfew_starts_at VARCHAR(5), 
	curfew_ends_at VARCHAR(5), 
	certificates JSON NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	ranked_on DATE, 
	available_day INTEGER NOT NULL, 
	language_rank INTEGER NOT NULL, 
	certificate_bits INTEGER NOT NULL, 
	skill_bits INTEGER NOT NULL, 
	occupation_bits INTEGER NOT NULL, 
	sector_bits INTEGER NOT NULL, 
	vog_bits INTEGER NOT NULL, 
	restriction_bits INTEGER NOT NULL, 
	vocabulary_version VARCHAR(16) NOT NULL, 
	PRIMARY KEY (participant_id)
);

CREATE INDEX ix_candidates_available_day ON candidates (available_day);

CREATE INDEX ix_candidates_status ON candidates (status);

CREATE TABLE employers (
	id VARCHAR(36) NOT NULL, 
	name VARCHAR(120) NOT NULL, 
	sector VARCHAR(40) NOT NULL, 
	municipality VARCHAR(80) NOT NULL, 
	contact_name VARCHAR(120) NOT NULL, 
	contact_email VARCHAR(200) NOT NULL, 
	social_return BOOLEAN NOT NULL, 
	PRIMARY KEY (id)
);

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

CREATE TABLE proposals (
	id VARCHAR(36) NOT NULL, 
	vacancy_id VARCHAR(36) NOT NULL, 
	employer_id VARCHAR(36) NOT NULL, 
	participant_id VARCHAR(36) NOT NULL, 
	score INTEGER NOT NULL, 
	reasons JSON NOT NULL, 
	employer_view JSON NOT NULL, 
	candidate_summary JSON NOT NULL, 
	proposed_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	expires_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	employer_accepted BOOLEAN NOT NULL, 
	candidate_accepted BOOLEAN NOT NULL, 
	declined_by VARCHAR(20), 
	decline_reason VARCHAR(200), 
	expiry_reason VARCHAR(40), 
	PRIMARY KEY (id), 
	CONSTRAINT uq_proposal_vacancy_candidate UNIQUE (vacancy_id, participant_id)
);

CREATE INDEX ix_proposals_employer_id ON proposals (employer_id);

CREATE INDEX ix_proposals_expires_at ON proposals (expires_at);

CREATE INDEX ix_proposals_participant_id ON proposals (participant_id);

CREATE INDEX ix_proposals_status ON proposals (status);

CREATE INDEX ix_proposals_vacancy_id ON proposals (vacancy_id);

CREATE TABLE vacancies (
	id VARCHAR(36) NOT NULL, 
	employer_id VARCHAR(36) NOT NULL, 
	occupation VARCHAR(60) NOT NULL, 
	sector VARCHAR(40) NOT NULL, 
	municipality VARCHAR(80) NOT NULL, 
	postcode VARCHAR(7), 
	hours_per_week INTEGER NOT NULL, 
	start_date DATE NOT NULL, 
	positions INTEGER NOT NULL, 
	required_certificates JSON NOT NULL, 
	desired_certificates JSON NOT NULL, 
	skills JSON NOT NULL, 
	min_language_level VARCHAR(2), 
	vog_required BOOLEAN NOT NULL, 
	vog_risk_areas JSON NOT NULL, 
	works_with_minors BOOLEAN NOT NULL, 
	works_with_vulnerable_people BOOLEAN NOT NULL, 
	shift_starts_at VARCHAR(5), 
	shift_ends_at VARCHAR(5), 
	accepted INTEGER NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	start_day INTEGER NOT NULL, 
	required_certificate_bits INTEGER NOT NULL, 
	desired_certificate_bits INTEGER NOT NULL, 
	desired_certificate_count INTEGER NOT NULL, 
	skill_bits INTEGER NOT NULL, 
	skill_count INTEGER NOT NULL, 
	vog_bits INTEGER NOT NULL, 
	min_language_rank INTEGER NOT NULL, 
	vocabulary_version VARCHAR(16) NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_vacancies_employer_id ON vacancies (employer_id);

CREATE INDEX ix_vacancies_start_day ON vacancies (start_day);

CREATE INDEX ix_vacancies_status ON vacancies (status);
