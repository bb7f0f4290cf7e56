-- tests/data/milter/run.lua: drive senderkey-milter with one message, for
-- tests/integration/70-milter.sh.  Settings from the environment:
--   SK_MT_SOCK  the milter socket ("unix:/path")
--   SK_MT_MSG   the message file (LF or CRLF line ends)
--   SK_MT_FROM  envelope sender          SK_MT_RCPT  recipients, space-separated
--   SK_MT_AUTH  {auth_authen} at MAIL (optional: sign mode)
--   SK_MT_OUT   where to write the message with the inserted fields (optional)
--   SK_MT_EXPECT  an SMTP reply "CODE XCODE TEXT" to look for (optional;
--               miltertest can only compare a reply, not read it)
-- Prints what the milter did, one fact per line, for the shell to check:
--   reply=CHAR                 the end-of-message reply (a accept, y reply code, ...)
--   smtp=CODE XCODE TEXT       the milter set SK_MT_EXPECT (else "smtp=(not ...)")
--   insert=NAME: VALUE         each field inserted (Sender-Key-Trust, A-R, S-K-S,
--                              DKIM-Signature), written to SK_MT_OUT in that order
--   delete=NAME                a field of that name was deleted
local sock = os.getenv("SK_MT_SOCK")
local path = os.getenv("SK_MT_MSG")
local from = os.getenv("SK_MT_FROM") or "<>"
local rcpts = os.getenv("SK_MT_RCPT") or "bob@example.net"
local auth = os.getenv("SK_MT_AUTH")
local outp = os.getenv("SK_MT_OUT")
local expect = os.getenv("SK_MT_EXPECT")

local f = assert(io.open(path, "rb"))
local text = f:read("*a")
f:close()
text = text:gsub("\r\n", "\n")

-- split the header block into fields (continuations kept, LF-folded)
local hdrs, body = {}, ""
local pos = 1
while true do
	local e = text:find("\n", pos, true)
	if e == nil then break end
	local line = text:sub(pos, e - 1)
	pos = e + 1
	if line == "" then
		body = text:sub(pos)
		break
	end
	if line:match("^[ \t]") and #hdrs > 0 then
		hdrs[#hdrs].value = hdrs[#hdrs].value .. "\n" .. line
	else
		local n, v = line:match("^([^:]+):(.*)$")
		assert(n, "not a header line: " .. line)
		hdrs[#hdrs + 1] = { name = n, value = v }
	end
end

local conn = mt.connect(sock, 40, 0.25)
assert(conn, "cannot connect to " .. sock)
-- Negotiate first: the milter declines CONNECT and HELO (SMFIP_NOCONNECT,
-- SMFIP_NOHELO), and miltertest exits when asked to send a declined one.
assert(mt.negotiate(conn, nil, nil, nil) == nil)
if not mt.test_option(conn, SMFIP_NOCONNECT) then
	assert(mt.conninfo(conn, "client.example.net", "192.0.2.10") == nil)
end
if not mt.test_option(conn, SMFIP_NOHELO) then
	assert(mt.helo(conn, "client.example.net") == nil)
end
local leadspc = mt.test_option(conn, SMFIP_HDR_LEADSPC)
if auth ~= nil and auth ~= "" then
	assert(mt.macro(conn, SMFIC_MAIL, "i", "4A1B2C3D4E",
	    "{auth_authen}", auth) == nil)
else
	assert(mt.macro(conn, SMFIC_MAIL, "i", "4A1B2C3D4E") == nil)
end
assert(mt.mailfrom(conn, from) == nil)
if mt.getreply(conn) == SMFIR_CONTINUE then
	for r in rcpts:gmatch("%S+") do
		assert(mt.rcptto(conn, "<" .. r .. ">") == nil)
	end
	for _, h in ipairs(hdrs) do
		local v = h.value
		if not leadspc then v = v:gsub("^ ", "", 1) end
		assert(mt.header(conn, h.name, v) == nil)
	end
	assert(mt.eoh(conn) == nil)
	assert(mt.bodystring(conn, (body:gsub("\n", "\r\n"))) == nil)
	assert(mt.eom(conn) == nil)
end
local r = mt.getreply(conn)
mt.echo("reply=" .. string.char(r))
if expect ~= nil and expect ~= "" then
	local c, x, t = expect:match("^(%d%d%d) (%S+) (.*)$")
	assert(c, "SK_MT_EXPECT: CODE XCODE TEXT")
	if mt.eom_check(conn, MT_SMTPREPLY, c, x, t) then
		mt.echo("smtp=" .. expect)
	else
		mt.echo("smtp=(not " .. expect .. ")")
	end
end
local added = {}
-- With SMFIP_HDR_LEADSPC the MTA writes an inserted value as it is (the
-- milter supplies the space after the colon), as Postfix does.
local sep = leadspc and ":" or ": "
for _, n in ipairs({ "Sender-Key-Signature", "DKIM-Signature",
    "Authentication-Results", "Sender-Key-Trust" }) do
	if mt.eom_check(conn, MT_HDRINSERT, n) then
		local v = mt.getheader(conn, n, 0)
		mt.echo("insert=" .. n .. sep .. tostring(v))
		added[#added + 1] = n .. sep .. tostring(v)
	end
	if mt.eom_check(conn, MT_HDRDELETE, n) then
		mt.echo("delete=" .. n)
	end
end
if outp ~= nil and outp ~= "" then
	local o = assert(io.open(outp, "wb"))
	for _, a in ipairs(added) do o:write(a, "\n") end
	o:write(text)
	o:close()
end
mt.disconnect(conn)
