-- Each service owns its own database; none reads another's.
CREATE DATABASE intake;
CREATE DATABASE training;
CREATE DATABASE matching;
CREATE DATABASE placement;
CREATE DATABASE notifications;
