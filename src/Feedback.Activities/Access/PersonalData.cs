namespace Feedback.Activities.Access;

/// <summary>Masks customers' personal data for lists, exports and anyone who has not revealed it.</summary>
public static class PersonalData
{
    /// <summary>The first character and stars: 王** / W****.</summary>
    public static string? MaskName(string? name) =>
        string.IsNullOrEmpty(name) ? name : name[..1] + new string('*', Math.Max(2, name.Length - 1));

    /// <summary>Keeps the last four digits: ****0001.</summary>
    public static string? MaskPhone(string? phone)
    {
        if (string.IsNullOrEmpty(phone)) return phone;
        var digits = new string(phone.Where(char.IsAsciiDigit).ToArray());
        return "****" + (digits.Length >= 4 ? digits[^4..] : "");
    }

    /// <summary>Keeps the first letter and the domain: w***@example.cn.</summary>
    public static string? MaskEmail(string? email)
    {
        if (string.IsNullOrEmpty(email)) return email;
        var at = email.IndexOf('@');
        return at <= 0 ? "***" : email[..1] + "***" + email[at..];
    }
}
