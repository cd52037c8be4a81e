„<#
.SYNOPSIS
  Builds and pushes the packages (the shape of serilog/serilog's
  Build.ps1). A `dotnet nuget push` written in this comment is no push.
#>
Import-Module ./build/Packages.psm1

if ($env:NUGET_API_KEY) {
    foreach ($nupkg in Get-ChildItem artifacts/*.nupkg) {
        & dotnet nuget push "$nupkg" `
            --source $env:NUGET_SOURCE `
            --skip-duplicate
        if ($LASTEXITCODE -ne 0) { throw "Publishing failed" }
    }
}
