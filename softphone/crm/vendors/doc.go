// Package vendors builds a CRM adapter from a vendor name, and names where
// a vendor's connection lives: the keychain entry of its API token and the
// store setting of its base URL. The desktop app (app/) and the command
// line (cli/) both connect CRMs, and must agree on these names so that a
// token stored by `pitchline crm connect` is found by the window and the
// other way round.
package vendors
