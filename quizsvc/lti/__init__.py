"""LTI 1.3: launch, deep linking and grade passback (AGS) through a durable outbox.

Built on PyJWT directly: `login` and `launch` keep state and nonce server side,
single use; `keys` is our signing key and JWKS; `ags` and `outbox` send scores;
`views` are the browser endpoints under /lti, `api` the JSON ones under /api/v1/lti.
"""
