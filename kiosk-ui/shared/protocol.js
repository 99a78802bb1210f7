// @ts-check
// The shapes of the device protocol (docs/API.md, "Websocket") as JSDoc
// types, for the modules that speak it. This module has no code.

/**
 * A screen as the welcome names it.
 * @typedef {object} Screen
 * @property {string} id
 * @property {string} [name]
 * @property {string} [kind]
 * @property {string} [hall_id]
 * @property {string[]} [groups]
 * @property {string} [tz]
 */

/**
 * One cue of a timeline slot: an item revision or a media file.
 * @typedef {object} Entry
 * @property {string} [item_id]
 * @property {number} [revision]
 * @property {string} [media_url]
 * @property {string} [type]
 * @property {number} duration_s
 */

/**
 * A slot [from, to) of the timeline.
 * @typedef {object} Slot
 * @property {string} from
 * @property {string} to
 * @property {string} [playlist_id]
 * @property {string} [anchor]
 * @property {Entry[]} [entries]
 */

/**
 * An interrupt, from the manifest or an interrupt frame.
 * @typedef {object} Interrupt
 * @property {string} id
 * @property {'info'|'urgent'|string} level
 * @property {string} [text]
 * @property {string} [item_id]
 * @property {string} [until]
 */

/**
 * What a screen plays for the next 24 hours.
 * @typedef {object} Manifest
 * @property {string} [generated_at]
 * @property {string} [valid_until]
 * @property {string} [tz]
 * @property {Slot[]} timeline
 * @property {Object<string, {revision: number, url: string}>} [items]
 * @property {Interrupt[]} [interrupts]
 */

/**
 * A name in both languages, or a plain string.
 * @typedef {string | {zh?: string, en?: string}} Name
 */

/**
 * @typedef {object} FinanceLine
 * @property {string} code
 * @property {string} [name]
 * @property {string} [parent]
 * @property {number} amount integer fen
 * @property {number|null} [budget] integer fen
 */

/**
 * @typedef {object} Finance
 * @property {string} [currency]
 * @property {string} [unit] "yuan" or "wan"
 * @property {FinanceLine[]} lines
 */

/**
 * @typedef {object} Asset
 * @property {string} url
 * @property {string} [type]
 * @property {string} [name]
 */

/**
 * An immutable item revision (the JSON at a manifest's item URL).
 * @typedef {object} Revision
 * @property {string} [id]
 * @property {number} [revision]
 * @property {string} [category]
 * @property {Name} [category_name]
 * @property {string} [department]
 * @property {Name} [department_name]
 * @property {string} [title]
 * @property {string} [summary]
 * @property {string} [body_html]
 * @property {Finance} [finance]
 * @property {string} [stage]
 * @property {Asset[]} [assets]
 * @property {string} [published_at]
 * @property {number} [archive_index]
 */

/**
 * What a screen shows, as status frames report it.
 * @typedef {object} Showing
 * @property {string} item_id
 * @property {number} [revision]
 * @property {string} [media_url]
 */

/**
 * An event kept in the outbox until acknowledged: impression, view, rating
 * or feedback, with a client-made unique id and the time it happened.
 * @typedef {{id: string, at: string, kind: string} & Object<string, unknown>} DeviceEvent
 */

/**
 * A frame from the server (one JSON object per text frame).
 * @typedef {object} ServerFrame
 * @property {string} type welcome, manifest, interrupt, interrupt_clear, ack, command or error
 * @property {Screen} [screen] welcome
 * @property {string} [server_time] welcome
 * @property {string} [etag] manifest
 * @property {Manifest} [manifest] manifest
 * @property {boolean} [unchanged] manifest: hello's manifest_etag is current
 * @property {string} [id] interrupt, interrupt_clear
 * @property {string[]} [ids] ack; error: the invalid events
 * @property {string} [name] command: reload or identify
 * @property {string} [code] error
 * @property {string} [message] error
 */

export {};
