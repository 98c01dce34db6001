"""LTI 1.3 / Advantage names: claim URIs, message types, scopes and media types."""

from __future__ import annotations

LTI_VERSION = "1.3.0"

_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = _CLAIM + "message_type"
VERSION = _CLAIM + "version"
DEPLOYMENT_ID = _CLAIM + "deployment_id"
TARGET_LINK_URI = _CLAIM + "target_link_uri"
RESOURCE_LINK = _CLAIM + "resource_link"
ROLES = _CLAIM + "roles"
CONTEXT = _CLAIM + "context"
CUSTOM = _CLAIM + "custom"
LAUNCH_PRESENTATION = _CLAIM + "launch_presentation"

DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
DL_CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
DL_MSG = "https://purl.imsglobal.org/spec/lti-dl/claim/msg"

AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
LAUNCH_MESSAGE_TYPES = frozenset({RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST})

_AGS_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
SCOPE_LINEITEM = _AGS_SCOPE + "lineitem"
SCOPE_LINEITEM_READONLY = _AGS_SCOPE + "lineitem.readonly"
SCOPE_RESULT_READONLY = _AGS_SCOPE + "result.readonly"
SCOPE_SCORE = _AGS_SCOPE + "score"
# What quizsvc asks a platform for: write scores, find or create its line items.
TOOL_SCOPES = (SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, SCOPE_SCORE)

SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEM_CONTAINER_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

# Our custom launch parameter: a bank reference signed by quizsvc (see deep_linking).
CUSTOM_BANK = "quizsvc_bank"
