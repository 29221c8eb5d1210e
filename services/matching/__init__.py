"""Matching (social service): employers, vacancies, candidate profiles and explainable matches."""
