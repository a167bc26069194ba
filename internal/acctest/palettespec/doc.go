// Package palettespec checks HTTP traffic and Go wire types against Palette's
// published API spec ("Palette APIs", the swagger 2.0 file
// api/spec/palette-apis-spec.json in the Go module
// github.com/spectrocloud/palette-sdk-go, read from the module cache, never
// copied into this repository). It is test machinery: no production package
// imports it.
//
// # Strictness
//
// Swagger lets an object carry fields its schema does not declare. These
// checks do not: before the spec is loaded, every object schema that declares
// "properties" and says nothing about "additionalProperties" is given
// additionalProperties: false, so an undeclared field anywhere in a body is a
// violation naming its JSON pointer. Schemas that declare additionalProperties
// (maps) stay maps, and objects with no properties at all ("type": "object"
// alone) stay free-form: the spec says nothing about their content, so
// neither can we. An allOf composition is strict as a whole: it accepts the
// union of the fields its members declare and nothing else (its members are
// checked without their own strictness, which would otherwise reject each
// other's fields). A schema with properties but no type is taken as type
// object (JSON schema would let it accept a string). "x-nullable": true is
// honoured as "nullable"; any other null is a violation. Schema validation itself is go-openapi/validate.
//
// Requests: the operation must exist (a literal path segment wins over a
// {param} one), every query parameter must be declared with a compatible
// value, required ones must be present, and a JSON body must validate against
// the body parameter. A non-empty body, even "{}" or "null", sent to an
// operation that declares no body is a violation; an empty body is not.
//
// Responses: the status must be declared by the operation (or "default").
// A status of 400 or more that the operation does not declare is accepted as
// Palette's generic error answer, whose body must then be a v1Error (or
// empty): that is how the SDK reads every error (api/apiutil/transport reads
// any status >= 400 into models.V1Error, from api/spec/error_v1.json). The
// spec itself declares error statuses for a few operations only, and no
// "default" response at all. A response whose schema is a file (or a binary
// string) may carry any body.
//
// # Exemptions
//
// palette-local serves endpoints that are not in the spec (its agent API, its
// /debug API). A Recorder takes an exemption func; exempt traffic is counted
// separately and not checked.
//
// # The figure line
//
// Recorder.Report logs exactly one line,
//
//	conformance: N operations, M requests, K responses checked, V violations
//
// where N counts distinct spec operations (method and path template)
// exercised, M and K the checked (non-exempt) requests and responses, and V
// the distinct violations (identical ones are reported once with a count).
// When V > 0 the test fails, listing each violation.
package palettespec

import (
	// The module whose spec file is Palette's published API; imported so that the
	// module is part of the build list and downloaded with the others.
	_ "github.com/spectrocloud/palette-sdk-go/api/models"
)
