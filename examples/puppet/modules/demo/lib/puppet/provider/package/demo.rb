# A package provider for Switchboard's Puppet demo and tests: "installing" a package records its version in
# $vardir/demo-packages/<name>, so several "hosts" on one machine (one vardir each) each have their own packages,
# and nothing is installed on the machine. A version ending in "-broken" cannot be installed (to show a failure).
require 'puppet/provider/package'

Puppet::Type.type(:package).provide(:demo, :parent => ::Puppet::Provider::Package) do
  desc "Records package versions in files under $vardir/demo-packages (Switchboard demo; installs nothing)."
  has_feature :installable, :uninstallable, :versionable

  def self.instances
    []
  end

  def path
    File.join(Puppet[:vardir], 'demo-packages', @resource[:name])
  end

  def query
    return nil unless File.exist?(path)
    { :name => @resource[:name], :ensure => File.read(path).strip, :provider => :demo }
  end

  def install
    should = @resource.should(:ensure)
    version = should.is_a?(String) && !%w[present installed latest].include?(should) ? should : '1.0'
    raise Puppet::Error, "version #{version} of #{@resource[:name]} is not available" if version.end_with?('-broken')
    Dir.mkdir(File.dirname(path)) unless File.directory?(File.dirname(path))
    File.write(path, "#{version}\n")
  end

  def update
    install
  end

  def latest
    current = query
    current ? current[:ensure] : nil
  end

  def uninstall
    File.delete(path) if File.exist?(path)
  end
end
