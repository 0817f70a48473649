using System.Xml.Linq;
using Feedback.Activities.Links;
using Feedback.Activities.Persistence;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Host.Links;

/// <summary>
/// The Data Protection key ring in the database, so a link minted by one host is read by every other. The
/// interface is synchronous; key rows are read when the ring is (re)loaded, about once a day, and written rarely.
/// </summary>
internal sealed class DatabaseXmlRepository(IDbContextFactory<FeedbackDbContext> dbFactory) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = dbFactory.CreateDbContext();
        return db.DataProtectionKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).ToList().Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var db = dbFactory.CreateDbContext();
        db.DataProtectionKeys.Add(new DataProtectionKeyRecord { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        db.SaveChanges();
    }
}
