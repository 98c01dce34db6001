"""Our tool's RSA key: generated on first use, kept in the database, published as a JWKS.

The key lives in the database rather than in the instance folder so that every
worker and every host behind one database signs with a key the JWKS publishes.
Two workers starting at once may each create a key; both are published, and all
sign with the newest, so the race is harmless.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import select
from sqlalchemy.orm import Session

from quizsvc.store.lti import LtiToolKey


def _new_key(session: Session) -> LtiToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    row = LtiToolKey(kid=uuid.uuid4().hex, private_pem=pem)
    session.add(row)
    session.flush()
    return row


def signing_key(session: Session) -> LtiToolKey:
    """Return the newest tool key, creating the first one if there is none."""
    row = session.scalars(
        select(LtiToolKey).order_by(LtiToolKey.created_at.desc(), LtiToolKey.kid).limit(1)).first()
    return row if row is not None else _new_key(session)


def rotate(session: Session) -> LtiToolKey:
    """Create a new signing key; older keys stay published so tokens in flight still verify."""
    return _new_key(session)


def public_jwks(session: Session) -> dict[str, Any]:
    """Return our public keys as a JSON Web Key Set."""
    rows = session.scalars(select(LtiToolKey).order_by(LtiToolKey.created_at.desc())).all()
    if not rows:
        rows = [signing_key(session)]
    keys = []
    for row in rows:
        public = serialization.load_pem_private_key(row.private_pem.encode(), None).public_key()
        jwk = RSAAlgorithm.to_jwk(public, as_dict=True)
        jwk.update(kid=row.kid, alg="RS256", use="sig")
        keys.append(jwk)
    return {"keys": keys}


Signer = Callable[[dict[str, Any], int], str]


def signer(session: Session) -> Signer:
    """Return a function that signs claims with our current key, without the database."""
    key = signing_key(session)
    kid, pem = key.kid, key.private_pem

    def _sign(claims: dict[str, Any], lifetime: int = 300) -> str:
        now = int(time.time())
        body = {"iat": now, "exp": now + lifetime, "jti": secrets.token_urlsafe(16), **claims}
        return jwt.encode(body, pem, algorithm="RS256", headers={"kid": kid})

    return _sign


def sign(session: Session, claims: dict[str, Any], *, lifetime: int = 300) -> str:
    """Return `claims` as an RS256 JWT signed with our key, with iat, exp and jti added."""
    return signer(session)(claims, lifetime)
