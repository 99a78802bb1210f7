// Server errors in the clerk's language: each error names a stable reason
// (docs/PROTOCOL.md, "Reasons") and the values of its message (args); the
// console words it from the table below, names the field as the form
// labels it, and shows amounts in the unit the clerk typed. The server's
// own message is the fallback for a reason the table does not know.

import { t, extend } from '../shared/i18n.js';

// [reason, Simplified Chinese, English]; {0}, {1}… are the args, {field}
// the field's name.
const reasons = [
  ['validation', '输入有误', 'Invalid input'],
  ['unauthenticated', '请先登录', 'Please log in'],
  ['forbidden', '您的角色无权执行此操作', 'Your role may not do this'],
  ['not_found', '找不到该内容', 'Not found'],
  ['conflict', '内容已被他人修改或状态不允许此操作', 'Changed by someone else, or not allowed in this state'],
  ['too_large', '内容过大', 'Too large'],
  ['rate_limited', '操作过于频繁，请稍后再试', 'Too many attempts: try again later'],
  ['internal', '服务器出错，请稍后再试', 'Server error: try again later'],
  ['unavailable', '服务器暂时无法访问数据，请稍后重试', 'The server cannot reach its data: try again'],
  ['network', '无法连接服务器，请检查网络', 'Cannot reach the server: check the network'],
  ['required', '{field}不能为空', '{field} is required'],
  ['required_at_most_120_characters', '{field}不能为空，最多 120 个字', '{field} is required, at most 120 characters'],
  ['required_at_most_80_characters', '{field}不能为空，最多 80 个字', '{field} is required, at most 80 characters'],
  ['required_at_most_40_characters', '{field}不能为空，最多 40 个字', '{field} is required, at most 40 characters'],
  ['required_at_most_2000_characters', '{field}不能为空，最多 2000 个字', '{field} is required, at most 2000 characters'],
  ['at_most_characters', '{field}最多 {0} 个字', '{field}: at most {0} characters'],
  ['at_most_500_characters', '{field}最多 500 个字', '{field}: at most 500 characters'],
  ['at_most_120_characters', '{field}最多 120 个字', '{field}: at most 120 characters'],
  ['at_most_80_characters', '{field}最多 80 个字', '{field}: at most 80 characters'],
  ['at_most_kib', '{field}最多 {0} KB', '{field}: at most {0} KiB'],
  ['at_most_lines', '最多 {0} 行', 'At most {0} lines'],
  ['at_least_one_line', '财务表至少要有一行', 'The finance table needs at least one line'],
  ['wrong_username_or_password', '用户名或密码错误', 'Wrong username or password'],
  ['wrong_password', '密码错误', 'Wrong password'],
  ['user_is_disabled', '该账号已停用', 'This account is disabled'],
  ['session_expired_log_in_again', '登录已过期，请重新登录', 'Your session has expired: log in again'],
  ['not_logged_in', '尚未登录', 'Not logged in'],
  ['log_in_first', '请先登录', 'Log in first'],
  ['missing_or_wrong_x_csrf_token_header', '页面已过期，请刷新后重试', 'The page is out of date: reload and try again'],
  ['too_many_failed_logins_for_from_this_address', '登录失败次数过多，请稍后再试', 'Too many failed logins: try again later'],
  ['too_many_logins_from_this_address_try_again', '登录次数过多，请 {0} 分钟后再试', 'Too many logins: try again in {0} minutes'],
  ['the_server_is_busy_checking_other_logins_try', '服务器繁忙，请几秒后再试', 'The server is busy: try again in a few seconds'],
  ['choose_a_password_different_from_the_current_one', '新密码不能与当前密码相同', 'Choose a password different from the current one'],
  ['username_is_taken', '用户名“{0}”已被使用', 'The username “{0}” is taken'],
  ['you_cannot_disable_your_own_account_ask_another', '不能停用自己的账号，请另一位管理员操作', 'You cannot disable your own account: ask another admin'],
  ['want_admin_editor_reviewer_or_auditor', '请选择角色', 'Choose a role'],
  ['pairing_code_not_found', '没有屏幕显示配对码 {0}：请核对配对码，或让屏幕重新开始配对', 'No screen shows the pairing code {0}: check it, or restart the pairing on the screen'],
  ['pairing_code_invalid', '配对码为屏幕上显示的 6 位数字', 'Enter the 6 digits the screen shows'],
  ['pairing_code_is_in_use', '配对码 {0} 正在使用中', 'The pairing code {0} is in use'],
  ['pairing_is_claimed_already', '该配对码已被认领', 'This pairing code is claimed already'],
  ['code_is_already_claimed', '配对码 {0} 已被认领', 'The code {0} is claimed already'],
  ['pairing_expired_start_again', '配对码已过期，请让屏幕重新开始配对', 'The pairing expired: start again on the screen'],
  ['pairing_has_expired', '配对码已过期', 'The pairing has expired'],
  ['too_many_pairing_requests_from_this_address_wait', '配对请求过多，请一分钟后再试', 'Too many pairing requests: wait a minute'],
  ['no_hall', '大厅不存在', 'No such hall'],
  ['want_led_or_kiosk', '请选择屏幕类型（LED 屏或触摸查询机）', 'Choose a kind: LED screen or touch kiosk'],
  ['screen_not_found', '屏幕不存在或已停用', 'No such screen, or it was revoked'],
  ['finance_sum_mismatch', '科目“{0}”金额为 {1}，但其明细合计为 {2}', 'Line “{0}” is {1} but its lines add up to {2}'],
  ['finance_budget_sum_mismatch', '科目“{0}”预算为 {1}，但其明细预算合计为 {2}', 'Line “{0}” has a budget of {1} but its lines’ budgets add up to {2}'],
  ['duplicate_code', '编码“{0}”重复', 'The code “{0}” is used twice'],
  ['no_line_has_code', '没有编码为“{0}”的科目', 'No line has the code “{0}”'],
  ['parent_chain_loops_back_to', '上级编码循环引用了“{0}”', 'The parent codes loop back to “{0}”'],
  ['out_of_range', '{field}超出范围', '{field} is out of range'],
  ['only_cny_is_supported', '仅支持人民币', 'Only CNY is supported'],
  ['want_yuan_or_wan', '单位须为元或万元', 'The unit is yuan or 10,000 yuan'],
  ['must_be_after_valid_from', '有效期止须晚于有效期起', 'Valid until must be after valid from'],
  ['date_out_of_range_1949_10_01_to', '{field}日期超出范围', '{field}: date out of range'],
  ['want_an_rfc_3339_time_or_yyyy_mm', '{field}日期格式不正确', '{field}: not a date'],
  ['want_a_date_yyyy_mm_dd_1949_to', '{field}应为日期（年-月-日）', '{field}: want a date YYYY-MM-DD'],
  ['a_stage_belongs_to_a_matter_name_the', '选择了阶段时须同时选择所属事项', 'A stage belongs to a matter: choose the matter'],
  ['no_category', '类别“{0}”不存在', 'No category “{0}”'],
  ['no_department', '部门“{0}”不存在', 'No department “{0}”'],
  ['no_matter', '事项“{0}”不存在', 'No matter “{0}”'],
  ['you_do_not_edit_for_department', '您不能编辑“{0}”部门的信息', 'You do not edit for department “{0}”'],
  ['item_belongs_to_department', '此信息属于“{1}”部门，您不能编辑', 'This item belongs to department “{1}”: you may not edit it'],
  ['item_not_found', '信息不存在', 'No such item'],
  ['stale_version', '此信息已被他人修改（当前版本 {1}，您看到的是 {2}），请刷新后再操作', 'Someone else changed this item (now version {1}, you read {2}): reload it first'],
  ['item_was_changed_by_someone_else_version_yours', '此信息已被他人修改（当前版本 {1}，您看到的是 {2}），请刷新后再操作', 'Someone else changed this item (now version {1}, you read {2}): reload it first'],
  ['wrong_status', '此信息当前为“{1}”，不能执行此操作，请刷新', 'This item is now {1}: reload it'],
  ['item_is_not_approved', '此信息当前为“{1}”，须审核通过后才能发布', 'This item is {1}: it must be approved before publishing'],
  ['item_is_not_published', '此信息未发布，无需撤下', 'This item is not published'],
  ['role_not_allowed', '您的角色不能处理“{0}”部门的信息', 'Your role may not act on department “{0}”'],
  ['you_submitted_item_another_reviewer_must_approve_it', '此信息由您提交，须由另一位审核人审核', 'You submitted this item: another reviewer must approve it'],
  ['only_reviewers_of_department_publish', '只有“{0}”部门的审核人可以发布', 'Only reviewers of department “{0}” publish'],
  ['only_reviewers_of_department_withdraw', '只有“{0}”部门的审核人可以撤下', 'Only reviewers of department “{0}” withdraw'],
  ['only_an_admin_may_publish_personal_data', '含个人信息，只有管理员可以说明理由后发布', 'It contains personal data: only an admin may publish it, with a reason'],
  ['say_why_the_item_is_withdrawn', '请填写撤下原因', 'Say why it is withdrawn'],
  ['return_comment_required', '请填写退回意见，说明需要修改的内容', 'Say what to change'],
  ['only_editors_draft_disclosures', '只有编辑可以起草信息', 'Only editors draft disclosures'],
  ['want_a_media_url_from_the_media_upload', '附件须通过上传添加', 'Attachments must be uploaded'],
  ['unsupported_file_type_upload_png_jpeg_webp_mp4', '不支持的文件类型：请上传 PNG、JPEG、WebP、MP4 或 PDF', 'Unsupported file type: upload PNG, JPEG, WebP, MP4 or PDF'],
  ['file_exceeds_mib', '文件超过 {0} MB', 'The file exceeds {0} MiB'],
  ['the_file_exceeds_mib', '文件超过 {0} MB', 'The file exceeds {0} MiB'],
  ['the_file_is_empty', '文件是空的', 'The file is empty'],
  ['the_csv_file_is_neither_utf_8_nor', 'CSV 文件编码须为 UTF-8 或 GBK', 'The CSV file must be UTF-8 or GBK'],
  ['want_an_xlsx_workbook_or_a_csv_file', '请选择 .xlsx 或 .csv 文件', 'Choose an .xlsx or .csv file'],
  ['the_workbook_has_no_sheet', '工作簿中没有工作表', 'The workbook has no sheet'],
  ['unknown_time_zone_want_an_iana_name_such', '时区“{0}”无效，例如 Asia/Shanghai', 'Unknown time zone “{0}”: use e.g. Asia/Shanghai'],
  ['want_an_iana_time_zone_such_as', '请填写时区，例如 {0}', 'Give a time zone such as {0}'],
  ['no_playlist', '播放列表“{0}”不存在', 'No playlist “{0}”'],
  ['schedule_plays_this_playlist_delete_or_change_it', '排期 {0} 正在使用此播放列表，请先删除或修改排期', 'Schedule {0} plays this playlist: delete or change it first'],
  ['hall_plays_this_playlist_by_default_change_that', '大厅 {0} 默认播放此播放列表，请先修改', 'Hall {0} plays this playlist by default: change that first'],
  ['give_text_or_item_id_one_of_them', '请填写通知内容或选择信息（二选一）', 'Give the text or an item (one of them)'],
  ['required_a_time_in_the_next_7_days', '请填写 7 天内的截止时间', 'Give a time within the next 7 days'],
  ['case_is_resolved_already', '该工单已办结', 'This case is resolved already'],
  ['say_what_was_verified_and_done_at_most', '请填写核实和处理情况（最多 2000 字）', 'Say what was verified and done (at most 2000 characters)'],
  ['unknown_field', '不支持的字段：{field}', 'Unknown field: {field}'],
  ['body_exceeds_bytes', '提交的内容过大', 'The request is too large'],
  ['finance_file_problems', '文件中有 {0} 处问题，未导入任何内容', '{0} problem(s) in the file: nothing imported'],
  ['amount', '金额“{0}”不是有效的金额', 'The amount “{0}” is not an amount'],
  ['budget', '预算“{0}”不是有效的金额', 'The budget “{0}” is not an amount'],
  ['code_is_also_on_row', '编码“{0}”与第 {1} 行重复', 'The code “{0}” is also on row {1}'],
  ['merged_cells_unmerge_them_so_each_row_has', '表中有合并单元格 {0}：请取消合并，让每行都有自己的数值', 'Merged cells {0}: unmerge them so each row has its own values'],
  ['no_header_row_name_a_column_name_and', '找不到表头：请在前几行写明“名称”和“金额”列', 'No header row: name a column 名称 (name) and one 金额 (amount) in the first rows'],
  ['no_rows_under_the_header', '表头下面没有数据行', 'No rows under the header'],
  ['the_name_is_empty', '名称为空', 'The name is empty'],
  ['parent_is_neither_a_code_nor_a_name', '上级“{0}”既不是表中的编码也不是名称', 'The parent “{0}” is neither a code nor a name in the table'],
  ['parent_names_rows_give_its_code', '上级“{0}”对应 {1} 行，请填写其编码', 'The parent “{0}” names {1} rows: give its code'],
  ['password_rules', '密码至少 10 个字符', 'The password needs at least 10 characters'],
  ['search_query_invalid', '搜索词无法识别，请换个说法', 'The search cannot be read: try other words'],
  ['calendar_invalid', '工作日历有误：{0}', 'The calendar is wrong: {0}'],
  ['body_unrenderable', '正文无法显示，请检查 Markdown 格式', 'The body cannot be shown: check its Markdown'],
  ['want_hh_mm_set_start_and_end_or', '请同时填写开始和结束时间，或选择全天', 'Give both start and end, or choose all day'],
  ['want_hh_mm_between_00_00_and_23', '{field}须在 00:00 至 23:59 之间', '{field}: between 00:00 and 23:59'],
  ['want_hh_mm_between_00_00_and_24', '{field}须在 00:00 至 24:00 之间', '{field}: between 00:00 and 24:00'],
  ['want_a_name', '请填写名称', 'Give a name'],
  ['want_a_playlist_id', '请选择播放列表', 'Choose a playlist'],
  ['want_a_date_on_or_after_from', '结束日期不能早于起始日期', 'The end date cannot be before the start'],
  ['want_yyyy_mm_dd', '{field}日期格式不正确', '{field}: not a date'],
  ['want_lower_case_letters_digits_or', 'ID 只能使用小写字母、数字、- 或 _', 'The ID takes lower-case letters, digits, - or _'],
  ['want_lower_case_letters_digits_or_at_most', '只能使用小写字母、数字、- 或 _（最多 40 个）', 'Lower-case letters, digits, - or _ (at most 40)'],
  ['the_four_parts_add_up_to_points_want', '四项权重合计为 {0} 分，应为 100 分', 'The four parts add up to {0} points: want 100'],
  ['want_0_to_100_points', '{field}须为 0 到 100 分', '{field}: want 0 to 100 points'],
  ['want_from_to_at_most_400_days_apart', '起止日期须先后有序，且相隔不超过 400 天', 'From must be before to, at most 400 days apart'],
  ['want_yyyy_mm', '{field}格式应为“年-月”', '{field}: want a month (YYYY-MM)'],
  ['rules_apply_from_this_month_on_earlier_periods', '考核规则只能从本月（{0}）起生效，之前的期间保留原有规则', 'Rules apply from this month ({0}) on: earlier periods keep the rules they were scored with'],
  ['only_admins_change_the_scorecard_rules', '只有管理员可以修改考核规则', 'Only admins change the scorecard rules'],
  ['the_period_ends_before_it_starts', '期间的结束早于开始', 'The period ends before it starts'],
  ['want_json_csv_or_xlsx', '下载格式须为 CSV 或 Excel', 'Want JSON, CSV or Excel'],
  ['no_such_endpoint', '服务器不支持此操作，请刷新页面', 'The server does not offer this: reload the page'],
];

// Field names as the forms label them; an error's field path such as
// "finance.lines[3].amount" is looked up without its indices.
const fields = [
  ['title', '标题', 'Title'],
  ['summary', '摘要', 'Summary'],
  ['body', '正文', 'Body'],
  ['category', '类别', 'Category'],
  ['department', '部门', 'Department'],
  ['stage', '阶段', 'Stage'],
  ['matter_id', '所属事项', 'Matter'],
  ['cadence', '更新周期', 'Cadence'],
  ['valid_from', '有效期起', 'Valid from'],
  ['valid_until', '有效期止', 'Valid until'],
  ['finance.lines.code', '编码', 'Code'],
  ['finance.lines.name', '名称', 'Name'],
  ['finance.lines.amount', '金额', 'Amount'],
  ['finance.lines.budget', '预算', 'Budget'],
  ['finance.lines.parent', '上级编码', 'Parent code'],
  ['name', '名称', 'Name'],
  ['kind', '类型', 'Kind'],
  ['hall_id', '大厅', 'Hall'],
  ['groups', '分组', 'Groups'],
  ['code', '配对码', 'Pairing code'],
  ['username', '用户名', 'Username'],
  ['password', '密码', 'Password'],
  ['new', '新密码', 'New password'],
  ['current', '当前密码', 'Current password'],
  ['reason', '原因', 'Reason'],
  ['comment', '退回意见', 'Comment'],
  ['text', '内容', 'Text'],
  ['tz', '时区', 'Time zone'],
  ['start', '开始时间', 'Start'],
  ['end', '结束时间', 'End'],
  ['playlist_id', '播放列表', 'Playlist'],
  ['priority', '优先级', 'Priority'],
  ['from', '起始日期', 'From'],
  ['until', '结束日期', 'Until'],
  ['role', '角色', 'Role'],
  ['level', '级别', 'Level'],
  ['file', '文件', 'File'],
  ['to', '截止日期', 'To'],
  ['period', '考核期间', 'Period'],
  ['weights', '权重', 'Weights'],
  ['weights.timeliness', '及时性', 'Timeliness'],
  ['weights.completeness', '完整性', 'Completeness'],
  ['weights.responsiveness', '回应性', 'Responsiveness'],
  ['weights.satisfaction', '满意度', 'Satisfaction'],
];

// The args of a reason that are amounts in fen.
const moneyArgs = { finance_sum_mismatch: [1, 2], finance_budget_sum_mismatch: [1, 2] };

// The args of a reason that are workflow statuses.
const statusArgs = { wrong_status: [1], item_is_not_approved: [1] };

extend({
  zh: Object.fromEntries([...reasons.map(([k, zh]) => [`err.${k}`, zh]), ...fields.map(([k, zh]) => [`field.${k}`, zh])]),
  en: Object.fromEntries([...reasons.map(([k, , en]) => [`err.${k}`, en]), ...fields.map(([k, , en]) => [`field.${k}`, en])]),
});

/** The form's name for a field path, or '' when the table has none. */
export function fieldLabel(field) {
  if (!field) return '';
  const key = `field.${String(field).replace(/\[[^\]]*\]/g, '')}`;
  const s = t(key);
  return s === key ? '' : s;
}

/**
 * An amount in fen as the clerk reads it: in yuan ("5,000,000.00 元") or in
 * 10,000 yuan ("500.00 万元"), read from the digits, never through floats.
 */
export function formatFen(fen, unit = 'yuan') {
  const s = String(fen).trim();
  if (!/^-?\d+$/.test(s)) return s;
  const neg = s.startsWith('-');
  const digits = (neg ? s.slice(1) : s).replace(/^0+(?=\d)/, '');
  const places = unit === 'wan' ? 6 : 2;
  const padded = digits.padStart(places + 1, '0');
  let whole = padded.slice(0, -places);
  let frac = padded.slice(-places);
  if (unit === 'wan') frac = frac.replace(/0+$/, '').padEnd(2, '0');
  whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${whole}.${frac} ${t(unit === 'wan' ? 'unit.wan' : 'unit.yuan')}`;
}

/**
 * The error in the console's language: the reason's wording with its args
 * (amounts in unit), else the server's message, else the code's wording.
 */
export function describe(err, { unit = 'yuan' } = {}) {
  if (!err) return '';
  const reason = err.reason || err.code;
  const key = `err.${reason}`;
  const known = reason && t(key) !== key;
  if (!known && err.serverMessage) return err.serverMessage;
  if (!known) {
    const generic = err.code && t(`err.${err.code}`);
    return err.message || (generic && generic !== `err.${err.code}` ? generic : String(err));
  }
  const vars = { field: fieldLabel(err.field) || err.field || '' };
  (err.args || []).forEach((a, i) => {
    if (moneyArgs[reason]?.includes(i)) vars[i] = formatFen(a, unit);
    else if (statusArgs[reason]?.includes(i)) vars[i] = t(`status.${a}`);
    else vars[i] = a;
  });
  const s = t(key, vars).trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}
