"""Business logic on a SQLAlchemy `Session`: no Flask imports here.

Functions flush and leave the commit to their caller (a view or a CLI command),
except `attempts.submit_attempt`, which owns its transaction because it must
resolve races between concurrent submissions.
"""
