// Package kioskui holds the web front-ends that hallcast serves: the LED player,
// the touch kiosk, the staff console and the public item page. They are plain
// HTML, CSS and ES modules with no build step, embedded into the binary.
//
// Layout (each folder is served under /ui/<folder>/):
//
//	player/   the LED wall and strip-sign player (/player)
//	kiosk/    the residents' touch kiosk (/kiosk)
//	admin/    the staff console (/admin)
//	public/   the public mobile page of one item (/p/{id})
//	shared/   modules used by several front-ends (connection, outbox, i18n)
package kioskui

import (
	"embed"
	"io/fs"
)

//go:embed player shared kiosk admin public
var files embed.FS

// FS returns the front-end files, rooted so that "player/index.html" is the
// player page.
func FS() fs.FS { return files }
