namespace Feedback.Host.Pages.Shared;

/// <summary>The staff sign-in, inbox and entry pages' texts.</summary>
internal static partial class PageTexts
{
    private static readonly Dictionary<string, (string ZhCn, string ZhTw, string En)> StaffTexts = new()
    {
        ["staff.signin.title"] = ("员工登录", "員工登入", "Staff sign-in"),
        ["staff.username"] = ("用户名", "使用者名稱", "User name"),
        ["staff.password"] = ("密码", "密碼", "Password"),
        ["staff.signin.submit"] = ("登录", "登入", "Sign in"),
        ["staff.signin.failed"] = ("用户名或密码不正确。", "使用者名稱或密碼不正確。", "The user name or password is wrong."),
        ["staff.signin.locked"] = ("密码错误次数过多，账号已锁定至 {0}（UTC），请稍后再试或联系管理员。", "密碼錯誤次數過多，帳號已鎖定至 {0}（UTC），請稍後再試或聯絡管理員。", "Too many wrong passwords: the account is locked until {0} (UTC). Try again then, or ask your administrator."),
        ["staff.signin.hint"] = ("还没有密码？请管理员给您发送设置密码的链接。", "還沒有密碼？請管理員寄送設定密碼的連結給您。", "No password yet? Ask your administrator to mail you a link to set one."),
        ["staff.signout"] = ("退出登录", "登出", "Sign out"),
        ["staff.signedout"] = ("您已退出登录。", "您已登出。", "You are signed out."),
        ["staff.signedinas"] = ("{0}（{1}）", "{0}（{1}）", "{0} ({1})"),

        ["staff.password.title"] = ("设置密码", "設定密碼", "Set your password"),
        ["staff.password.intro"] = ("为账号 {0} 设置登录密码（至少 {1} 个字符）。", "為帳號 {0} 設定登入密碼（至少 {1} 個字元）。", "Choose the sign-in password for {0} (at least {1} characters)."),
        ["staff.password.new"] = ("新密码", "新密碼", "New password"),
        ["staff.password.confirm"] = ("再次输入新密码", "再次輸入新密碼", "New password again"),
        ["staff.password.submit"] = ("设置密码", "設定密碼", "Set password"),
        ["staff.password.done"] = ("密码已设置，之前的登录已失效。", "密碼已設定，先前的登入已失效。", "Your password is set; earlier sign-ins have ended."),
        ["staff.password.signin"] = ("去登录", "前往登入", "Sign in now"),

        ["staff.inbox.title"] = ("我的工作台", "我的工作台", "My inbox"),
        ["staff.inbox.mine"] = ("我的任务", "我的任務", "My tasks"),
        ["staff.inbox.department"] = ("本部门的任务", "本部門的任務", "My department's tasks"),
        ["staff.inbox.empty"] = ("没有待办任务。", "沒有待辦任務。", "Nothing to do here."),
        ["staff.inbox.entry"] = ("登记电话或柜台反馈", "登記電話或櫃台回饋", "Enter phone or counter feedback"),
        ["staff.inbox.overdue"] = ("已逾期", "已逾期", "overdue"),
        ["staff.inbox.nodue"] = ("无截止时间", "無截止時間", "no due time"),
        ["staff.inbox.for"] = ("负责", "負責", "For"),
        ["staff.inbox.open"] = ("打开并处理", "開啟並處理", "Open and complete"),
        ["staff.inbox.view"] = ("查看", "檢視", "View"),
        ["staff.inbox.claim"] = ("认领", "認領", "Claim"),
        ["staff.inbox.reassign"] = ("转交", "轉交", "Reassign"),
        ["staff.inbox.to"] = ("转交给", "轉交給", "To"),
        ["staff.inbox.reason"] = ("原因（必填，记入处理记录）", "原因（必填，記入處理紀錄）", "Reason (required, kept in the case history)"),
        ["staff.inbox.claimed"] = ("已认领任务“{0}”。", "已認領任務「{0}」。", "You claimed '{0}'."),
        ["staff.inbox.reassigned"] = ("任务“{0}”已转交给 {1}。", "任務「{0}」已轉交給 {1}。", "'{0}' now goes to {1}."),
        ["staff.inbox.back"] = ("返回工作台", "返回工作台", "Back to my inbox"),
        ["staff.forbidden"] = ("没有这个任务，或它属于其他部门，您无权查看。", "沒有這個任務，或它屬於其他部門，您無權檢視。", "There is no such task, or it belongs to another department and you may not see it."),
        ["staff.forbidden.title"] = ("无法查看", "無法檢視", "Not available"),
        ["taskstatus.Open"] = ("待处理", "待處理", "Open"),
        ["taskstatus.Claimed"] = ("已认领：{0}", "已認領：{0}", "Claimed by {0}"),

        ["staff.entry.title"] = ("登记反馈", "登記回饋", "Enter feedback"),
        ["staff.entry.intro"] = ("登记通过电话、柜台或意见箱收到的反馈。", "登記透過電話、櫃台或意見箱收到的回饋。", "Enter feedback received by phone, at the counter or in the suggestion box."),
        ["staff.entry.channel"] = ("渠道", "管道", "Channel"),
        ["channel.Phone"] = ("电话", "電話", "Phone"),
        ["channel.Counter"] = ("柜台", "櫃台", "Counter"),
        ["channel.SuggestionBox"] = ("意见箱", "意見箱", "Suggestion box"),
        ["staff.entry.anonymous"] = ("匿名（不记录联系方式）", "匿名（不記錄聯絡方式）", "Anonymous (no contact details kept)"),
        ["staff.entry.submit"] = ("登记", "登記", "Register"),
        ["staff.entry.done.title"] = ("已登记", "已登記", "Registered"),
        ["staff.entry.done.body"] = ("案件编号：{0}", "案件編號：{0}", "Case number: {0}"),
        ["staff.entry.another"] = ("再登记一条", "再登記一筆", "Enter another"),
    };
}
