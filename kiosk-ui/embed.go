// Package kioskui holds the web front-ends that hallcast serves: the LED player,
// the touch kiosk, the staff console and the public item page. They are plain
// HTML, CSS and ES modules with no build step, embedded into the binary.
//
// Layout (each folder is served under /ui/<folder>/):
//
//	player/   the LED wall and strip-sign player (/player)
//	kiosk/    the residents' touch kiosk (/kiosk); kiosk/data/pinyin.tsv is
//	          its pinyin dictionary, made by genpinyin (see NOTICE.txt there)
//	admin/    the staff console (/admin)
//	public/   the public mobile page of one item (/p/{id})
//	shared/   modules used by several front-ends: the device runtime of the
//	          player and the kiosk (runtime.js: websocket, outbox, clock),
//	          content kept for offline play and its rendering, their one
//	          service worker (sw.js, served with its file list at
//	          /player-sw.js and /kiosk-sw.js), strings and formatting
//
// The player and the kiosk import only their own folder and shared/
// (embed_test.go checks it). The shared modules carry // @ts-check and
// JSDoc types, checked with tsconfig.json and tsconfig.worker.json.
package kioskui

import (
	"embed"
	"io/fs"
)

//go:generate go run ./genpinyin -in /usr/share/rime-data/pinyin_simp.dict.yaml -out kiosk/data/pinyin.tsv -extra genpinyin/words.txt

//go:embed player shared kiosk admin public
var files embed.FS

// FS returns the front-end files, rooted so that "player/index.html" is the
// player page.
func FS() fs.FS { return files }
