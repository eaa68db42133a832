"""The API's JSON renderer: DRF's, which sends a body encoded once already as it is.

An idempotent write stores its first answer as JSON (config.floor.idempotency); the same text is
the body sent, instead of encoding the same data a second time (`encode_once`)."""

from rest_framework import renderers

# On a response: (its data, that data encoded by this renderer without indentation).
ENCODED = "floor_encoded_json"


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        encoded = getattr(renderer_context.get("response"), ENCODED, None)
        if (
            encoded is not None
            and encoded[0] is data
            and self.get_indent(accepted_media_type, renderer_context) is None
        ):
            return encoded[1]
        return super().render(data, accepted_media_type, renderer_context)


def encode_once(response) -> bytes:
    """The response's data as JSON, as the renderer sends it (no indentation asked), kept on the
    response so that the renderer sends these very bytes."""
    encoded = JSONRenderer().render(response.data)
    setattr(response, ENCODED, (response.data, encoded))
    return encoded
