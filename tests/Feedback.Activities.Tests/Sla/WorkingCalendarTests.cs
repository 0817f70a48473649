using Feedback.Activities.Sla;

namespace Feedback.Activities.Tests.Sla;

public sealed class WorkingCalendarTests
{
    private static readonly string[] SplitShift = ["09:00-12:00", "13:30-18:00"];

    /// <summary>Mon–Fri with a lunch break, in Shanghai; 1–7 October off, Saturday 10 October worked instead (test dates).</summary>
    private static WorkingCalendar Office() => WorkingCalendarFile.Parse("""
        { "name": "Office", "timeZone": "Asia/Shanghai",
          "week": { "Monday": ["09:00-12:00","13:30-18:00"], "Tuesday": ["09:00-12:00","13:30-18:00"], "Wednesday": ["09:00-12:00","13:30-18:00"],
                    "Thursday": ["09:00-12:00","13:30-18:00"], "Friday": ["09:00-12:00","13:30-18:00"] },
          "holidays": ["2026-10-01","2026-10-02","2026-10-03","2026-10-04","2026-10-05","2026-10-06","2026-10-07"],
          "workingDays": { "2026-10-10": ["09:00-12:00","13:30-18:00"] } }
        """);

    private static DateTimeOffset Shanghai(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.FromHours(8));

    [Theory]
    [InlineData(11, 20, 17, 0, 2, 11, 23, 10, 0)]    // Friday 17:00 + 2 h: one hour Friday, one Monday morning
    [InlineData(11, 23, 11, 30, 1, 11, 23, 14, 0)]   // the lunch break does not count
    [InlineData(11, 22, 3, 0, 0.5, 11, 23, 9, 30)]   // starting on a Sunday night: the clock runs from Monday 09:00
    [InlineData(11, 23, 12, 45, 0.25, 11, 23, 13, 45)] // starting inside the lunch break
    [InlineData(9, 30, 17, 0, 3, 10, 8, 11, 0)]      // across the October holidays
    [InlineData(10, 9, 17, 0, 2, 10, 10, 10, 0)]     // into the adjusted working Saturday
    [InlineData(11, 23, 9, 0, 37.5, 11, 27, 18, 0)]  // five full working days
    public void Adding_working_time_skips_what_is_not_working_time(int m, int d, int h, int min, double hours, int em, int ed, int eh, int emin)
    {
        Office().AddWorkingTime(Shanghai(m, d, h, min), TimeSpan.FromHours(hours)).Should().Be(Shanghai(em, ed, eh, emin));
    }

    [Fact]
    public void Working_time_between_is_the_inverse_of_adding_it()
    {
        var calendar = Office();
        var random = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var start = Shanghai(9, 20, 0).AddMinutes(random.Next(0, 60 * 24 * 40));
            var amount = TimeSpan.FromMinutes(random.Next(0, 60 * 60));
            var end = calendar.AddWorkingTime(start, amount);
            calendar.WorkingTimeBetween(start, end).Should().Be(amount, $"from {start:O} adding {amount}");
        }
    }

    [Fact]
    public void A_night_shift_across_daylight_saving_changes_counts_real_hours()
    {
        var berlin = new WorkingCalendar("Night", TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"),
            new Dictionary<DayOfWeek, IReadOnlyList<WorkingInterval>> { [DayOfWeek.Saturday] = [WorkingInterval.Parse("22:00-06:00")] });

        // Spring forward (29 March 2026, 02:00 → 03:00): the Saturday night shift lasts 7 hours.
        berlin.WorkingTimeBetween(new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.FromHours(1)), new DateTimeOffset(2026, 3, 29, 12, 0, 0, TimeSpan.FromHours(2)))
            .Should().Be(TimeSpan.FromHours(7));
        // Fall back (25 October 2026, 03:00 → 02:00): it lasts 9 hours.
        berlin.WorkingTimeBetween(new DateTimeOffset(2026, 10, 24, 12, 0, 0, TimeSpan.FromHours(2)), new DateTimeOffset(2026, 10, 25, 12, 0, 0, TimeSpan.FromHours(1)))
            .Should().Be(TimeSpan.FromHours(9));
        // That short spring shift holds only 7 of 8 working hours; the eighth is the first hour of the next Saturday's shift.
        berlin.AddWorkingTime(new DateTimeOffset(2026, 3, 28, 22, 0, 0, TimeSpan.FromHours(1)), TimeSpan.FromHours(8))
            .Should().Be(new DateTimeOffset(2026, 4, 4, 23, 0, 0, TimeSpan.FromHours(2)));
    }

    [Fact]
    public void Working_time_is_recognised_in_the_calendars_own_time_zone()
    {
        var calendar = Office();
        calendar.IsWorkingTime(new DateTimeOffset(2026, 11, 23, 1, 30, 0, TimeSpan.Zero)).Should().BeTrue("09:30 in Shanghai");
        calendar.IsWorkingTime(new DateTimeOffset(2026, 11, 23, 4, 30, 0, TimeSpan.Zero)).Should().BeFalse("12:30 in Shanghai is lunch");
        calendar.IsWorkingTime(Shanghai(10, 10, 10)).Should().BeTrue("an adjusted working Saturday");
        calendar.IsWorkingTime(Shanghai(10, 5, 10)).Should().BeFalse("a holiday Monday");
    }

    [Theory]
    [InlineData("""{"timeZone":"Mars/Olympus","week":{"Monday":["09:00-17:00"]}}""", "Mars/Olympus")]
    [InlineData("""{"timeZone":"UTC","week":{"Funday":["09:00-17:00"]}}""", "Funday")]
    [InlineData("""{"timeZone":"UTC","week":{"Monday":["9 to 5"]}}""", "09:00-12:00")]
    [InlineData("""{"timeZone":"UTC","week":{"Monday":["09:00-13:00","12:00-17:00"]}}""", "overlap")]
    [InlineData("""{"timeZone":"UTC","week":{"Monday":["09:00-17:00"]},"holidays":["31/12/2026"]}""", "yyyy-MM-dd")]
    [InlineData("""{"timeZone":"UTC"}""", "at least one working day")]
    public void A_bad_calendar_file_is_refused_with_what_is_wrong(string json, string expected)
    {
        var act = () => WorkingCalendarFile.Parse(json);
        act.Should().Throw<FormatException>().Which.Message.Should().Contain(expected);
    }

    [Fact]
    public void The_shipped_example_calendar_loads()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "workflows", "calendars", "example-head-office.json");
        var calendar = WorkingCalendarFile.Parse(File.ReadAllText(file));
        calendar.IntervalsOn(new DateOnly(2026, 11, 23)).Should().Equal(SplitShift.Select(WorkingInterval.Parse));
        calendar.IntervalsOn(new DateOnly(2026, 10, 1)).Should().BeEmpty();
    }

    [Fact]
    public void A_day_shift_across_the_spring_forward_weekend_keeps_local_office_hours()
    {
        var newYork = new WorkingCalendar("New York", TimeZoneInfo.FindSystemTimeZoneById("America/New_York"),
            Enum.GetValues<DayOfWeek>().Where(d => d is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
                .ToDictionary(d => d, _ => (IReadOnlyList<WorkingInterval>)[WorkingInterval.Parse("09:00-17:00")]));

        // Friday 6 March 2026 16:00 EST; clocks go forward on Sunday 8 March. Two hours later is Monday 10:00 EDT.
        var friday = new DateTimeOffset(2026, 3, 6, 16, 0, 0, TimeSpan.FromHours(-5));
        var due = newYork.AddWorkingTime(friday, TimeSpan.FromHours(2));
        due.Should().Be(new DateTimeOffset(2026, 3, 9, 10, 0, 0, TimeSpan.FromHours(-4)));
        (due - friday).Should().Be(TimeSpan.FromHours(65), "the weekend lost an hour of wall-clock time, not of working time");
        newYork.WorkingTimeBetween(friday, due).Should().Be(TimeSpan.FromHours(2));
    }

    [Fact]
    public void Working_days_are_standard_days_of_the_calendar()
    {
        var calendar = Office();
        calendar.StandardDay.Should().Be(TimeSpan.FromHours(7.5));
        calendar.WorkingSpan(TimeSpan.Parse("2.01:00:00")).Should().Be(TimeSpan.FromHours(16));
        // Friday 17:00 plus two working days is Tuesday 17:00: the same point of the working day.
        calendar.AddWorkingTime(Shanghai(11, 20, 17), calendar.WorkingSpan(TimeSpan.FromDays(2))).Should().Be(Shanghai(11, 24, 17));
        // Across the holidays and into the adjusted Saturday: 30 September 17:00 plus two working days.
        calendar.AddWorkingTime(Shanghai(9, 30, 17), calendar.WorkingSpan(TimeSpan.FromDays(2))).Should().Be(Shanghai(10, 9, 17));
    }

    [Fact]
    public void Calendar_time_counts_every_minute()
    {
        var start = Shanghai(11, 21, 23, 30); // a Saturday night
        WorkingCalendar.Continuous.AddWorkingTime(start, TimeSpan.FromHours(24)).Should().Be(start.AddHours(24));
        WorkingCalendar.Continuous.WorkingTimeBetween(start, start.AddDays(3)).Should().Be(TimeSpan.FromDays(3));
    }

    [Fact]
    public void Each_department_works_to_its_calendar_and_the_rest_to_the_default()
    {
        var calendars = WorkingCalendars.LoadFolder(Path.Combine(AppContext.BaseDirectory, "workflows", "calendars"));
        calendars.Default.Id.Should().Be("example-head-office");
        calendars.For("rnd").Id.Should().Be("example-plant");
        calendars.For("complaint-desk").Should().BeSameAs(calendars.Default);
        calendars.For(null).Should().BeSameAs(calendars.Default);
        calendars.For("rnd").Calendar.IsWorkingTime(Shanghai(11, 21, 10)).Should().BeTrue("the plant works Saturday mornings");
        calendars.Default.Calendar.IsWorkingTime(Shanghai(11, 21, 10)).Should().BeFalse();
    }

    [Theory]
    [InlineData("""{"timeZone":"UTC","week":{"Monday":["09:00-17:00"]}}""", """{"timeZone":"UTC","week":{"Monday":["09:00-17:00"]}}""", "No calendar is the default")]
    [InlineData("""{"timeZone":"UTC","week":{"Monday":["09:00-17:00"]},"default":true}""", """{"timeZone":"UTC","week":{"Monday":["09:00-17:00"]},"default":true}""", "Only one calendar")]
    [InlineData("""{"timeZone":"UTC","week":{"Monday":["09:00-17:00"]},"default":true,"departments":["rnd"]}""", """{"timeZone":"UTC","week":{"Monday":["09:00-17:00"]},"departments":["rnd"]}""", "Department 'rnd' is in calendars")]
    public void An_inconsistent_set_of_calendars_is_refused(string first, string second, string expected)
    {
        var act = () => new WorkingCalendars([WorkingCalendarFile.Read("a", first), WorkingCalendarFile.Read("b", second)]);
        act.Should().Throw<FormatException>().Which.Message.Should().Contain(expected);
    }
}
