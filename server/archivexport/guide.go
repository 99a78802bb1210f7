package archivexport

// verifyGuide is VERIFY.md, written into every export.
const verifyGuide = "# 核验说明 / How to verify\n\n" + `## 中文

本目录是 hallcast 政务公开存档一个年度的归档导出。每个页面（` + "`<类别>/<年-月>/<条目>-r<版本>.html`" + `）都由存档中的一条记录（叶子）生成，页面顶部和 ` + "`<meta name=\"hallcast-leaf-index\">`" + ` 写明其存档编号，` + "`<meta name=\"hallcast-leaf-hash\">`" + ` 写明该叶子的哈希。

目录内容：

- ` + "`leaves/NNNNNNNN`" + `：从本年度第一条到最后一条的每条存档记录，前后各多一条（表明本年度从哪里开始、到哪里结束），以及撤回、到期下架本年度页面的后续记录，逐字节原样保存，文件名为存档编号；第 2 版格式的发布记录只含版本内容的加盐哈希，内容与盐另存为同名的 ` + "`.content`" + ` 与 ` + "`.salt`" + ` 文件（SHA-256(盐 ‖ 内容) 须等于记录中的 content_hash）；已依法删除（redact）的版本只留记录，不出页面；
- ` + "`proofs/NNNNNNNN.json`" + `：每条记录对签名检查点的包含证明，格式与 ` + "`GET /api/v1/archive/proof/{index}`" + ` 相同；
- ` + "`checkpoint.txt`" + `：导出时最新的签名检查点（原文）；
- ` + "`archive.pub`" + `：检查点的验证公钥（与 ` + "`GET /api/v1/archive/key`" + ` 相同）；
- ` + "`media/`" + `：页面所含图片和附件，文件名为其 SHA-256；
- ` + "`manifest.json`" + `：页面清单，以及生成页面所用的类别、部门和公开栏名称；
- ` + "`index.html`" + `：按类别和月份列出所有页面。

离线核验一页，无需联网：

1. 按 RFC 6962 计算叶子哈希：SHA-256(0x00 ‖ 叶子文件的全部字节)，以 base64 表示，应等于页面嵌入的叶子哈希和证明文件中的 ` + "`leaf_hash`" + `；
2. 用证明文件中的审计路径（` + "`proof`" + `，自叶子向上）按 RFC 6962 逐层计算（内部节点为 SHA-256(0x01 ‖ 左 ‖ 右)），得到的根应等于检查点第三行的根哈希，树大小为第二行；
3. 用 ` + "`archive.pub`" + ` 中的 Ed25519 公钥核对 ` + "`checkpoint.txt`" + ` 的签名（golang.org/x/mod/sumdb/note 格式）；
4. 页面的标题、发布时间、正文和收支表应与叶子 JSON 中 ` + "`content`" + ` 的内容一致。

没有 hallcast 时，可在本目录用 Python 3（仅标准库）核对第 1、2 步（签名仍需用 Ed25519 工具核对）：

` + "```python\n" + verifyScript + "```\n" + `
一条命令完成以上全部检查，并把每一页按叶子重新生成后逐字节比对：

` + "```sh\nhallcast archive verify-export DIR\n```" + `

任何不一致（叶子被改、页面被改、证明或签名不符、多出或缺少文件、本年度某条发布记录没有页面）都会逐项指明文件并以非零状态退出。公钥应与公开栏所在单位公布的公钥（服务器启动时打印的 ` + "`archive key:`" + `）核对一致；见证单位（` + "`hallcast archive witness`" + `）保存的检查点可用来确认本检查点属于同一历史。

## English

This directory is a year of a hallcast archive, exported for the archives office. Every page (` + "`<category>/<year-month>/<item>-r<revision>.html`" + `) is rendered from one archive entry (a leaf); its archive index is printed at the top and in ` + "`<meta name=\"hallcast-leaf-index\">`" + `, the leaf's hash in ` + "`<meta name=\"hallcast-leaf-hash\">`" + `.

Contents:

- ` + "`leaves/NNNNNNNN`" + `: every archive entry from the year's first to its last, one more on each side (to show where the year starts and ends), and later entries that withdraw or expire one of its pages, the exact bytes, named by archive index; a publish leaf of format 2 holds only a salted hash of the revision, whose content and salt sit beside it as ` + "`.content`" + ` and ` + "`.salt`" + ` (SHA-256(salt ‖ content) must equal the leaf's content_hash); a redacted revision keeps its leaf and has no page;
- ` + "`proofs/NNNNNNNN.json`" + `: each leaf's inclusion proof against the signed checkpoint, as ` + "`GET /api/v1/archive/proof/{index}`" + ` answers it;
- ` + "`checkpoint.txt`" + `: the latest signed checkpoint when the export was made, verbatim;
- ` + "`archive.pub`" + `: the key that verifies it (as ` + "`GET /api/v1/archive/key`" + ` serves it);
- ` + "`media/`" + `: the images and attachments the pages show, named by SHA-256;
- ` + "`manifest.json`" + `: the list of pages and the names of categories, departments and boards they were rendered with;
- ` + "`index.html`" + `: every page by category and month.

To check a page offline:

1. hash its leaf as RFC 6962 does: SHA-256(0x00 ‖ the leaf file's bytes), in base64; it must equal the hash the page embeds and the proof's ` + "`leaf_hash`" + `;
2. fold the proof's audit path (` + "`proof`" + `, from the leaf up) with RFC 6962 interior hashing, SHA-256(0x01 ‖ left ‖ right); the result must be the root on the checkpoint's third line, for the tree size on its second;
3. check the signature of ` + "`checkpoint.txt`" + ` with the Ed25519 key in ` + "`archive.pub`" + ` (golang.org/x/mod/sumdb/note format);
4. the page's title, publication time, body and finance table must be those of the leaf JSON's ` + "`content`" + `.

Without hallcast, Python 3 (standard library only) checks steps 1 and 2 in this directory (the signature still needs an Ed25519 tool): the script above.

One command does all of this and also renders every page again from its leaf and compares it byte for byte:

` + "```sh\nhallcast archive verify-export DIR\n```" + `

Any mismatch (an altered leaf or page, a proof or signature that does not check, a file missing or added, a publication of the year without its page) is named, file by file, and the command exits non-zero. Compare the key with the one the hall publishes (printed as ` + "`archive key:`" + ` when the server starts); a checkpoint kept by a witness (` + "`hallcast archive witness`" + `) shows that this one belongs to the same history.
`

// verifyScript is a Python 3 check of every leaf and proof of an export.
const verifyScript = `import base64, glob, hashlib, json, os

def h(b): return hashlib.sha256(b).digest()

def included(p):                              # RFC 9162 §2.1.3.2
    node = h(b"\x00" + p["leaf"].encode())
    fn, sn = p["index"], p["size"] - 1
    for s in map(base64.b64decode, p["proof"]):
        if sn == 0: return False
        if fn & 1 or fn == sn:
            node = h(b"\x01" + s + node)
            while not fn & 1 and fn != 0:
                fn >>= 1; sn >>= 1
        else:
            node = h(b"\x01" + node + s)
        fn >>= 1; sn >>= 1
    return sn == 0 and base64.b64encode(node).decode() == p["root"]

_, size, root = open("checkpoint.txt", encoding="utf-8").read().split("\n")[:3]
for f in sorted(glob.glob("proofs/*.json")):
    p = json.load(open(f, encoding="utf-8"))
    leaf = open(os.path.join("leaves", os.path.basename(f)[:-5]), "rb").read()
    ok = (leaf == p["leaf"].encode() and p["root"] == root and p["size"] == int(size)
          and base64.b64encode(h(b"\x00" + leaf)).decode() == p["leaf_hash"] and included(p))
    print(f, "OK" if ok else "MISMATCH")
`
