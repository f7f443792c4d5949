using Microsoft.Extensions.Hosting;
using Pipeline.Core.Hosting;
using Pipeline.Slackbot;

if (ServiceCommands.IsCommand(args))
{
    return await ServiceCommands.RunAsync(args);
}

// A mistyped command must not start the service: with a bearer token that would spend rate limit.
if (ServiceCommands.IsUnknownCommand(args))
{
    return await ServiceCommands.RejectUnknownCommandAsync(args, "slackbot");
}

var builder = Host.CreateApplicationBuilder(args);
builder.AddPipelineDefaults();
builder.AddOperations();
builder.AddSlackWebhook();
builder.AddSlackbot();
return await builder.Build().RunServiceAsync("slackbot");
