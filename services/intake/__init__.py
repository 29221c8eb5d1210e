"""Intake (PI): registration, screening, consent, selection and release of participants."""
